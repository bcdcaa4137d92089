#include "json_text.hpp"

#include <cmath>
#include <cstdint>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "aws/json_scanner.hpp"

namespace evstore::detail {
namespace {

using boost::json::string_view;
using boost::system::error_code;

/// Boost.JSON's parser validates here, not evstore's scanner: on unescaped text (a payload as
/// stored) it is about twice as fast (bench_decode, callgrind). Accepts every event but a number
/// no double holds: the parser itself checks the grammar and UTF-8. Boost.JSON reads some such
/// numbers as NaN or infinity (`-0e530` as NaN), which no JSON text can carry back, so they are
/// refused rather than turned into other values.
struct validating_handler {
  static constexpr std::size_t max_array_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_object_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_string_size = static_cast<std::size_t>(-1);
  static constexpr std::size_t max_key_size = static_cast<std::size_t>(-1);

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(std::size_t, error_code&) { return true; }
  bool on_object_begin(error_code&) { return true; }
  bool on_object_end(std::size_t, error_code&) { return true; }
  bool on_string_part(string_view, std::size_t, error_code&) { return true; }
  bool on_string(string_view, std::size_t, error_code&) { return true; }
  bool on_key_part(string_view, std::size_t, error_code&) { return true; }
  bool on_key(string_view, std::size_t, error_code&) { return true; }
  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return true; }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return true; }
  bool on_double(double value, string_view, error_code& ec) {
    if (std::isfinite(value)) return true;
    ec = boost::json::error::exponent_overflow;
    return false;
  }
  bool on_bool(bool, error_code&) { return true; }
  bool on_null(error_code&) { return true; }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }
};

/// Keeps the value of the string literal it reads.
struct string_handler {
  std::string value;

  void on_object_begin() {}
  void on_object_end(std::size_t) {}
  void on_array_begin() {}
  void on_array_end(std::size_t) {}
  void on_key(std::string_view) {}
  void on_string(std::string_view text) { value.assign(text); }
  void on_int64(std::int64_t) {}
  void on_uint64(std::uint64_t) {}
  void on_double(double) {}
  void on_bool(bool) {}
  void on_null() {}
};

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::size_t skip_space(std::string_view text, std::size_t pos) {
  while (pos < text.size() && is_space(text[pos])) ++pos;
  return pos;
}

/// The position just past the string literal starting at `pos` (a quote).
std::size_t skip_string(std::string_view text, std::size_t pos) {
  ++pos;
  while (pos < text.size() && text[pos] != '"') pos += text[pos] == '\\' ? 2 : 1;
  return pos + 1;
}

/// The position just past the well-formed value starting at `pos`.
std::size_t skip_value(std::string_view text, std::size_t pos) {
  const char first = text[pos];
  if (first == '"') return skip_string(text, pos);
  if (first == '{' || first == '[') {
    std::size_t depth = 0;
    while (pos < text.size()) {
      const char c = text[pos];
      if (c == '"') {
        pos = skip_string(text, pos);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return pos + 1;
      }
      ++pos;
    }
    return pos;
  }
  while (pos < text.size() && !is_space(text[pos]) && text[pos] != ',' && text[pos] != '}' &&
         text[pos] != ']')
    ++pos;
  return pos;
}

}  // namespace

json_kind classify_json(std::string_view text) {
  boost::json::basic_parser<validating_handler> parser{boost::json::parse_options{}};
  error_code ec;
  const std::size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || consumed != text.size()) return json_kind::invalid;
  const std::size_t start = skip_space(text, 0);
  switch (text[start]) {
    case '{':
      return json_kind::object;
    case '[':
      return json_kind::array;
    case '"':
      return json_kind::string;
    case 't':
    case 'f':
      return json_kind::boolean;
    case 'n':
      return json_kind::null;
    default:
      return json_kind::number;
  }
}

std::vector<std::pair<std::string, std::string_view>> object_members(std::string_view text) {
  std::vector<std::pair<std::string, std::string_view>> members;
  std::size_t pos = skip_space(text, 0) + 1;  // past '{'
  while (true) {
    pos = skip_space(text, pos);
    if (pos >= text.size() || text[pos] == '}') break;
    if (text[pos] == ',') {
      ++pos;
      continue;
    }
    const std::size_t key_end = skip_string(text, pos);
    std::string key = unescape_json_string(text.substr(pos, key_end - pos));
    pos = skip_space(text, key_end) + 1;  // past ':'
    pos = skip_space(text, pos);
    const std::size_t value_end = skip_value(text, pos);
    members.emplace_back(std::move(key), text.substr(pos, value_end - pos));
    pos = value_end;
  }
  return members;
}

void append_json_string(std::string& out, std::string_view value) {
  out += boost::json::serialize(boost::json::string_view{value.data(), value.size()});
}

std::string unescape_json_string(std::string_view literal) {
  if (literal.find('\\') == std::string_view::npos)
    return std::string(literal.substr(1, literal.size() - 2));
  string_handler handler;
  aws::detail::json_scanner<string_handler>(literal, handler, 1).run();
  return std::move(handler.value);
}

}  // namespace evstore::detail
