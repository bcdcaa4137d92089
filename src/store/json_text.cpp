#include "json_text.hpp"

#include <cmath>
#include <cstdint>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "evstore/aws/detail/json_scanner.hpp"

namespace evstore::detail {
namespace {

/// Accepts every event but a number no double holds (the scanner itself checks the grammar and
/// UTF-8): such a number is read as infinity, which no JSON text can carry back, so it is
/// refused rather than turned into another value. Records the kind of the outermost value.
struct validating_handler {
  json_kind kind = json_kind::invalid;
  std::size_t depth = 0;

  void value(json_kind k) {
    if (depth == 0) kind = k;
  }
  void on_object_begin() {
    value(json_kind::object);
    ++depth;
  }
  void on_object_end(std::size_t) { --depth; }
  void on_array_begin() {
    value(json_kind::array);
    ++depth;
  }
  void on_array_end(std::size_t) { --depth; }
  void on_key(std::string_view) {}
  void on_string(std::string_view) { value(json_kind::string); }
  void on_int64(std::int64_t) { value(json_kind::number); }
  void on_uint64(std::uint64_t) { value(json_kind::number); }
  void on_double(double d) {
    if (!std::isfinite(d)) throw aws::detail::json_syntax_error{0, "a number no double holds"};
    value(json_kind::number);
  }
  void on_bool(bool) { value(json_kind::boolean); }
  void on_null() { value(json_kind::null); }
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
  validating_handler handler;
  try {
    // Boost.JSON's default depth, which payloads were always read with.
    aws::detail::json_scanner<validating_handler>(text, handler, 32).run();
  } catch (const aws::detail::json_syntax_error&) {
    return json_kind::invalid;
  }
  return handler.kind;
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
