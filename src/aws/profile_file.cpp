#include "aws/profile_file.hpp"

#include <boost/system/system_error.hpp>

#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace {

constexpr std::string_view whitespace = " \t\r";

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(whitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(whitespace) - first + 1);
}

// A '#' or ';' after whitespace starts a trailing comment.
std::string_view strip_trailing_comment(std::string_view s) {
  for (std::size_t i = 1; i < s.size(); ++i)
    if ((s[i] == '#' || s[i] == ';') && (s[i - 1] == ' ' || s[i - 1] == '\t'))
      return s.substr(0, i);
  return s;
}

std::string lowercase(std::string_view s) {
  std::string out{s};
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

[[noreturn]] void fail(std::string_view file_name, std::size_t line_number, std::string_view what) {
  throw boost::system::system_error{
      errc::invalid_config,
      std::string{file_name} + ":" + std::to_string(line_number) + ": " + std::string{what}};
}

}  // namespace

const profile_properties* profile_file::find(std::string_view profile) const {
  auto it = profiles.find(profile);
  return it == profiles.end() ? nullptr : &it->second;
}

profile_file parse_profile_file(std::string_view text, profile_file_kind kind,
                                std::string_view file_name) {
  profile_file result;
  profile_properties* section = nullptr;  // nullptr: before any section, or a skipped one
  bool in_skipped_section = false;
  std::string parent_key;  // the property whose indented lines are sub-properties
  std::size_t line_number = 0;

  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    ++line_number;

    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;

    if (line.front() == '[') {
      const std::string_view header = trim(strip_trailing_comment(line));
      if (header.back() != ']') fail(file_name, line_number, "section header lacks ']'");
      std::string_view name = trim(header.substr(1, header.size() - 2));
      parent_key.clear();
      if (kind == profile_file_kind::config && name != "default") {
        // Config files name profiles "[profile x]"; other sections are not profiles.
        constexpr std::string_view prefix = "profile";
        if (name.substr(0, prefix.size()) != prefix || name.size() == prefix.size() ||
            (name[prefix.size()] != ' ' && name[prefix.size()] != '\t')) {
          section = nullptr;
          in_skipped_section = true;
          continue;
        }
        name = trim(name.substr(prefix.size()));
      }
      if (name.empty()) fail(file_name, line_number, "empty profile name");
      section = &result.profiles[std::string{name}];
      in_skipped_section = false;
      continue;
    }

    const bool indented = raw.front() == ' ' || raw.front() == '\t';
    if (in_skipped_section) continue;
    if (!section) fail(file_name, line_number, "property outside of any [section]");

    const auto equals = line.find('=');
    if (equals == std::string_view::npos)
      fail(file_name, line_number,
           "expected 'key = value' (the line is not shown: it may hold a secret)");
    const std::string key = lowercase(trim(line.substr(0, equals)));
    if (key.empty()) fail(file_name, line_number, "property without a name");
    const std::string_view value = trim(strip_trailing_comment(line.substr(equals + 1)));

    if (indented && !parent_key.empty()) {
      (*section)[parent_key + "." + key] = std::string{value};
      continue;
    }
    (*section)[key] = std::string{value};
    parent_key = value.empty() ? key : std::string{};
  }
  return result;
}

}  // namespace evstore::aws
