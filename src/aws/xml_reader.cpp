#include "aws/xml_reader.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "http/utf8.hpp"

namespace evstore::aws::xml {

const element* element::find(std::string_view child_name) const noexcept {
  for (const element& child : children)
    if (child.name == child_name) return &child;
  return nullptr;
}

std::string_view element::text_or(std::string_view child_name,
                                  std::string_view fallback) const noexcept {
  const element* child = find(child_name);
  return child ? std::string_view(child->text) : fallback;
}

std::vector<const element*> element::all(std::string_view child_name) const {
  std::vector<const element*> found;
  for (const element& child : children)
    if (child.name == child_name) found.push_back(&child);
  return found;
}

namespace {

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_name_start(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

bool is_name_char(unsigned char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// The Char production of XML 1.0.
bool is_xml_char(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

class parser {
 public:
  parser(std::string_view doc, std::size_t max_depth) : doc_(doc), max_depth_(max_depth) {}

  element parse_document() {
    if (doc_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    if (doc_.substr(pos_).starts_with("<?xml") && pos_ + 5 < doc_.size() &&
        is_xml_space(doc_[pos_ + 5]))
      skip_past("?>", "unterminated XML declaration");
    skip_misc();
    if (at_end()) fail("no root element");
    if (doc_[pos_] != '<') fail("expected the root element");
    element root = parse_root();
    skip_misc();
    if (!at_end()) fail("content after the root element");
    return root;
  }

 private:
  [[noreturn]] void fail(std::string_view what) const { fail_at(pos_, what); }

  [[noreturn]] static void fail_at(std::size_t offset, std::string_view what) {
    throw malformed_xml_error(offset, std::string(what));
  }

  bool at_end() const { return pos_ >= doc_.size(); }
  bool looking_at(std::string_view s) const { return doc_.substr(pos_).starts_with(s); }

  void skip_past(std::string_view terminator, std::string_view error) {
    std::size_t found = doc_.find(terminator, pos_);
    if (found == std::string_view::npos) fail(error);
    validate_chars(pos_, found);
    pos_ = found + terminator.size();
  }

  void skip_space() {
    while (!at_end() && is_xml_space(doc_[pos_])) ++pos_;
  }

  // Whitespace and comments, outside the root element.
  void skip_misc() {
    for (;;) {
      skip_space();
      if (looking_at("<!--")) {
        skip_comment();
      } else if (looking_at("<!DOCTYPE")) {
        fail("DOCTYPE declarations are not accepted");
      } else if (looking_at("<?")) {
        fail("processing instructions are not accepted");
      } else {
        return;
      }
    }
  }

  void skip_comment() {
    pos_ += 4;
    std::size_t end = doc_.find("--", pos_);
    if (end == std::string_view::npos) fail("unterminated comment");
    validate_chars(pos_, end);
    pos_ = end;
    if (!looking_at("-->")) fail("\"--\" inside a comment");
    pos_ += 3;
  }

  // Decodes one UTF-8 sequence at `at`, failing on anything ill-formed or not an XML Char.
  std::size_t decode_char(std::size_t at, std::uint32_t& cp) const {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(doc_[i]); };
    unsigned char lead = byte(at);
    std::size_t length = lead < 0x80                    ? 1
                         : lead >= 0xC2 && lead <= 0xDF ? 2
                         : lead >= 0xE0 && lead <= 0xEF ? 3
                         : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                        : 0;
    if (length == 0 || at + length > doc_.size()) fail_at(at, "invalid UTF-8");
    cp = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t i = 1; i < length; ++i) {
      if ((byte(at + i) & 0xC0) != 0x80) fail_at(at, "invalid UTF-8");
      cp = (cp << 6) | (byte(at + i) & 0x3F);
    }
    static constexpr std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[length]) fail_at(at, "overlong UTF-8 sequence");
    if (!is_xml_char(cp)) fail_at(at, "character not allowed in XML");
    return length;
  }

  void validate_chars(std::size_t from, std::size_t to) const {
    std::uint32_t cp = 0;
    for (std::size_t i = from; i < to;) i += decode_char(i, cp);
  }

  std::string_view parse_name() {
    std::size_t start = pos_;
    if (at_end() || !is_name_start(static_cast<unsigned char>(doc_[pos_]))) fail("expected a name");
    while (!at_end() && is_name_char(static_cast<unsigned char>(doc_[pos_]))) ++pos_;
    validate_chars(start, pos_);
    return doc_.substr(start, pos_ - start);
  }

  // At '&': decodes an entity or character reference into `out`.
  void parse_reference(std::string& out) {
    std::size_t semicolon = doc_.find(';', pos_);
    if (semicolon == std::string_view::npos || semicolon - pos_ > 12)
      fail("'&' that does not start a reference");
    std::string_view ref = doc_.substr(pos_ + 1, semicolon - pos_ - 1);
    if (ref == "amp") {
      out += '&';
    } else if (ref == "lt") {
      out += '<';
    } else if (ref == "gt") {
      out += '>';
    } else if (ref == "quot") {
      out += '"';
    } else if (ref == "apos") {
      out += '\'';
    } else if (ref.starts_with('#')) {
      bool hex = ref.size() > 1 && ref[1] == 'x';
      std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) fail("empty character reference");
      std::uint32_t cp = 0;
      for (char c : digits) {
        int digit = c >= '0' && c <= '9'          ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
        if (digit < 0) fail("invalid digit in a character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit);
        if (cp > 0x10FFFF) fail("character reference out of range");
      }
      if (!is_xml_char(cp)) fail("character reference to a character not allowed in XML");
      http::append_utf8(out, cp);
    } else {
      fail("unknown entity (only amp, lt, gt, quot, apos and numeric references)");
    }
    pos_ = semicolon + 1;
  }

  // Character data up to the next '<', with line ends normalised as XML requires.
  void parse_text(std::string& out) {
    while (!at_end() && doc_[pos_] != '<') {
      char c = doc_[pos_];
      if (c == '&') {
        parse_reference(out);
      } else if (c == '\r') {
        out += '\n';
        pos_ += looking_at("\r\n") ? 2 : 1;
      } else if (c == ']' && looking_at("]]>")) {
        fail("\"]]>\" in character data");
      } else {
        std::uint32_t cp = 0;
        std::size_t length = decode_char(pos_, cp);
        out.append(doc_.substr(pos_, length));
        pos_ += length;
      }
    }
  }

  void skip_attribute_value() {
    if (at_end() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) fail("expected a quoted value");
    char quote = doc_[pos_++];
    std::string discarded;
    while (!at_end() && doc_[pos_] != quote) {
      if (doc_[pos_] == '<') fail("'<' in an attribute value");
      if (doc_[pos_] == '&') {
        parse_reference(discarded);
      } else {
        std::uint32_t cp = 0;
        pos_ += decode_char(pos_, cp);
      }
    }
    if (at_end()) fail("unterminated attribute value");
    ++pos_;
  }

  // At '<' of a start tag: reads the name and attributes; returns true for "<name/>".
  bool parse_start_tag(element& e) {
    ++pos_;
    e.name = parse_name();
    for (;;) {
      bool spaced = !at_end() && is_xml_space(doc_[pos_]);
      skip_space();
      if (at_end()) fail("unterminated start tag");
      if (looking_at("/>")) {
        pos_ += 2;
        return true;
      }
      if (doc_[pos_] == '>') {
        ++pos_;
        return false;
      }
      if (!spaced) fail("expected whitespace before an attribute");
      parse_name();
      skip_space();
      if (at_end() || doc_[pos_] != '=') fail("expected '=' after an attribute name");
      ++pos_;
      skip_space();
      skip_attribute_value();
    }
  }

  // Iterative, so depth costs heap rather than stack; the depth limit also bounds the
  // recursion of element's destructor.
  element parse_root() {
    std::vector<element> open(1);
    if (parse_start_tag(open.back())) return std::move(open.back());
    for (;;) {
      parse_text(open.back().text);
      if (at_end()) fail("unterminated element <" + open.back().name + ">");
      if (looking_at("</")) {
        pos_ += 2;
        std::string_view name = parse_name();
        if (name != open.back().name)
          fail("end tag </" + std::string(name) + "> does not match <" + open.back().name + ">");
        skip_space();
        if (at_end() || doc_[pos_] != '>') fail("expected '>' to close an end tag");
        ++pos_;
        element done = std::move(open.back());
        open.pop_back();
        if (open.empty()) return done;
        open.back().children.push_back(std::move(done));
      } else if (looking_at("<!--")) {
        skip_comment();
      } else if (looking_at("<![CDATA[")) {
        pos_ += 9;
        std::size_t end = doc_.find("]]>", pos_);
        if (end == std::string_view::npos) fail("unterminated CDATA section");
        validate_chars(pos_, end);
        open.back().text.append(doc_.substr(pos_, end - pos_));
        pos_ = end + 3;
      } else if (looking_at("<!") || looking_at("<?")) {
        fail("markup declarations and processing instructions are not accepted");
      } else {
        if (open.size() >= max_depth_) fail("elements nested too deeply");
        element child;
        if (parse_start_tag(child)) {
          open.back().children.push_back(std::move(child));
        } else {
          open.push_back(std::move(child));
        }
      }
    }
  }

  std::string_view doc_;
  std::size_t max_depth_;
  std::size_t pos_ = 0;
};

}  // namespace

malformed_xml_error::malformed_xml_error(std::size_t offset, std::string reason)
    : std::invalid_argument("malformed XML: " + reason + " at byte " + std::to_string(offset)),
      offset_(offset),
      reason_(std::move(reason)) {}

element parse(std::string_view document, std::size_t max_depth) {
  return parser(document, max_depth).parse_document();
}

}  // namespace evstore::aws::xml
