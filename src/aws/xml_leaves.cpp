#include "evstore/aws/xml_leaves.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace evstore::aws {

namespace {

constexpr std::size_t max_depth = 32;

[[noreturn]] void malformed(std::string_view what, std::size_t offset) {
  throw std::invalid_argument{"malformed XML: " + std::string{what} + " at byte " +
                              std::to_string(offset)};
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool is_name_char(char c) {
  return !is_space(c) && c != '<' && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' &&
         c != '&';
}

void append_utf8(std::string& out, std::uint32_t cp, std::size_t offset) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    malformed("a character reference outside Unicode", offset);
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Appends `text` (character data between tags, starting at `offset`) with entities decoded.
void append_decoded(std::string& out, std::string_view text, std::size_t offset) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      if (text[i] == '>' && i >= 2 && text.substr(i - 2, 3) == "]]>")
        malformed("']]>' in text", offset + i);
      out += text[i];
      continue;
    }
    const std::size_t end = text.find(';', i);
    if (end == std::string_view::npos || end - i > 10)
      malformed("an unterminated entity", offset + i);
    const std::string_view name = text.substr(i + 1, end - i - 1);
    if (name == "lt") {
      out += '<';
    } else if (name == "gt") {
      out += '>';
    } else if (name == "amp") {
      out += '&';
    } else if (name == "quot") {
      out += '"';
    } else if (name == "apos") {
      out += '\'';
    } else if (name.size() >= 2 && name[0] == '#') {
      const bool hex = name[1] == 'x';
      const std::string_view digits = name.substr(hex ? 2 : 1);
      if (digits.empty()) malformed("an empty character reference", offset + i);
      std::uint32_t cp = 0;
      for (char c : digits) {
        int value = -1;
        if (c >= '0' && c <= '9') value = c - '0';
        if (hex && c >= 'a' && c <= 'f') value = c - 'a' + 10;
        if (hex && c >= 'A' && c <= 'F') value = c - 'A' + 10;
        if (value < 0) malformed("a bad character reference", offset + i);
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(value);
        if (cp > 0x10FFFF) malformed("a character reference outside Unicode", offset + i);
      }
      append_utf8(out, cp, offset + i);
    } else {
      malformed("an unknown entity", offset + i);
    }
    i = end;
  }
}

struct open_element {
  std::string path;
  std::string text;
  bool has_children = false;
};

}  // namespace

xml_leaves read_xml_leaves(std::string_view xml) {
  xml_leaves leaves;
  std::vector<open_element> stack;
  bool root_seen = false;
  std::size_t pos = 0;
  // A UTF-8 byte order mark may open the document.
  if (xml.starts_with("\xEF\xBB\xBF")) pos = 3;

  const auto skip_past = [&](std::string_view terminator, std::string_view what) {
    const std::size_t end = xml.find(terminator, pos);
    if (end == std::string_view::npos) malformed(what, pos);
    const std::size_t start = pos;
    pos = end + terminator.size();
    return xml.substr(start, end - start);
  };
  const auto close_leaf = [&](open_element& element) {
    if (!element.has_children) leaves.emplace(element.path, std::move(element.text));
  };

  while (pos < xml.size()) {
    if (xml[pos] != '<') {
      const std::size_t end = std::min(xml.find('<', pos), xml.size());
      const std::string_view text = xml.substr(pos, end - pos);
      if (stack.empty()) {
        for (char c : text)
          if (!is_space(c)) malformed("text outside the root element", pos);
      } else {
        append_decoded(stack.back().text, text, pos);
      }
      pos = end;
      continue;
    }
    const std::string_view rest = xml.substr(pos);
    if (rest.starts_with("<?")) {
      if (root_seen || !stack.empty()) malformed("a processing instruction after the root", pos);
      skip_past("?>", "an unterminated declaration");
    } else if (rest.starts_with("<!--")) {
      skip_past("-->", "an unterminated comment");
    } else if (rest.starts_with("<![CDATA[")) {
      if (stack.empty()) malformed("CDATA outside the root element", pos);
      pos += 9;
      const std::string_view data = skip_past("]]>", "an unterminated CDATA section");
      stack.back().text += data;
    } else if (rest.starts_with("<!")) {
      malformed("a DOCTYPE or other declaration", pos);
    } else if (rest.starts_with("</")) {
      const std::size_t at = pos;
      pos += 2;
      std::string_view name = skip_past(">", "an unterminated end tag");
      while (!name.empty() && is_space(name.back())) name.remove_suffix(1);
      if (stack.empty()) malformed("an end tag without a start tag", at);
      const std::string& path = stack.back().path;
      const std::size_t slash = path.rfind('/');
      const std::string_view open_name = slash == std::string::npos
                                             ? std::string_view{path}
                                             : std::string_view{path}.substr(slash + 1);
      if (name != open_name) malformed("an end tag not matching its start tag", at);
      close_leaf(stack.back());
      stack.pop_back();
    } else {
      const std::size_t at = pos;
      if (stack.empty() && root_seen) malformed("a second root element", at);
      ++pos;
      const std::size_t name_start = pos;
      while (pos < xml.size() && is_name_char(xml[pos])) ++pos;
      if (pos == name_start) malformed("a tag without a name", at);
      const std::string_view name = xml.substr(name_start, pos - name_start);
      // Attributes are skipped, quoted values and all ('>' may appear inside quotes).
      bool self_closing = false;
      for (;;) {
        if (pos >= xml.size()) malformed("an unterminated start tag", at);
        const char c = xml[pos];
        if (c == '"' || c == '\'') {
          const std::size_t close = xml.find(c, pos + 1);
          if (close == std::string_view::npos) malformed("an unterminated attribute value", pos);
          pos = close + 1;
        } else if (c == '>') {
          ++pos;
          break;
        } else if (c == '/' && pos + 1 < xml.size() && xml[pos + 1] == '>') {
          pos += 2;
          self_closing = true;
          break;
        } else if (c == '<') {
          malformed("'<' inside a start tag", pos);
        } else {
          ++pos;
        }
      }
      if (stack.size() >= max_depth) malformed("elements nested too deeply", at);
      open_element element;
      if (!stack.empty()) {
        stack.back().has_children = true;
        element.path = stack.back().path + '/';
      }
      element.path += name;
      root_seen = true;
      if (self_closing) {
        close_leaf(element);
      } else {
        stack.push_back(std::move(element));
      }
    }
  }
  if (!stack.empty()) malformed("an element left open", xml.size());
  if (!root_seen) malformed("no root element", xml.size());
  return leaves;
}

}  // namespace evstore::aws
