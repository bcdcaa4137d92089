#pragma once
// A JSON reader (RFC 8259; strings checked to be UTF-8 and escapes to be well formed, as
// Boost.JSON checks them), handing its handler whole keys and strings: a string without escapes
// is a view into the text, never copied. It is evstore's own for speed on escape-dense text:
// payloads of events are JSON text stored inside a string, so nearly every byte of a
// BatchGetItem response is in a string full of escaped quotes, which Boost.JSON's parser reads a
// byte at a time (3x slower there). On plain text Boost.JSON's parser is the faster one, so trees
// are read by parse_json (json_document.hpp) and payloads validated by it (store json_text).
//
// Handler: on_object_begin(), on_object_end(members), on_array_begin(), on_array_end(elements),
// on_key(view), on_string(view), on_int64(i), on_uint64(u), on_double(d), on_bool(b),
// on_null(); a handler with on_number_text(view) gets each number's text instead of its value.
// Views are valid only during the call. Handlers may throw; a syntax error throws
// json_syntax_error.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "http/utf8.hpp"

namespace evstore::aws::detail {

struct json_syntax_error {
  std::size_t offset;
  std::string_view what;
};

template <class Handler>
class json_scanner {
 public:
  json_scanner(std::string_view text, Handler& handler, std::size_t max_depth)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        handler_(handler),
        max_depth_(max_depth) {}

  /// Reads the whole text: one JSON value, surrounded by whitespace only.
  void run() {
    skip_whitespace();
    value(0);
    skip_whitespace();
    if (p_ != end_) fail("extra data after the JSON value");
  }

 private:
  /// Bytes that end the plain run of a string: '"', '\\', control characters and non-ASCII.
  static constexpr std::array<bool, 256> make_plain_table() {
    std::array<bool, 256> plain{};
    for (std::size_t c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
    return plain;
  }
  static constexpr std::array<bool, 256> plain_ = make_plain_table();

  static constexpr std::uint64_t every_byte(std::uint8_t b) { return 0x0101010101010101ull * b; }

  /// Whether one of the eight bytes of `w` is not plain (exact: a block reported plain is; a
  /// false alarm only sends the block through the byte loop).
  static bool block_has_special(std::uint64_t w) {
    constexpr std::uint64_t high = every_byte(0x80);
    const auto has_zero = [](std::uint64_t v) { return (v - every_byte(1)) & ~v & high; };
    const std::uint64_t below_space = (w - every_byte(0x20)) & ~w & high;
    return (below_space | has_zero(w ^ every_byte('"')) | has_zero(w ^ every_byte('\\')) |
            (w & high)) != 0;
  }

  /// Steps over plain string bytes, eight at a time while it can.
  void skip_plain() {
    for (;;) {
      for (std::uint64_t w = 0; end_ - p_ >= 8; p_ += 8) {
        std::memcpy(&w, p_, 8);
        if (block_has_special(w)) break;
      }
      const char* block_end = p_ + std::min<std::ptrdiff_t>(8, end_ - p_);
      while (p_ < block_end && plain_[byte(*p_)]) ++p_;
      if (p_ < block_end || p_ == end_) return;
    }
  }

  [[noreturn]] void fail(std::string_view what) const {
    throw json_syntax_error{static_cast<std::size_t>(p_ - begin_), what};
  }
  static unsigned char byte(char c) { return static_cast<unsigned char>(c); }
  bool at(char c) const { return p_ < end_ && *p_ == c; }
  bool digit_at() const { return p_ < end_ && *p_ >= '0' && *p_ <= '9'; }

  void skip_whitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  void value(std::size_t depth) {
    if (p_ == end_) fail("unexpected end of the text");
    switch (*p_) {
      case '{':
        object(depth + 1);
        return;
      case '[':
        array(depth + 1);
        return;
      case '"':
        handler_.on_string(string());
        return;
      case 't':
        literal("true");
        handler_.on_bool(true);
        return;
      case 'f':
        literal("false");
        handler_.on_bool(false);
        return;
      case 'n':
        literal("null");
        handler_.on_null();
        return;
      default:
        number();
        return;
    }
  }

  void object(std::size_t depth) {
    if (depth > max_depth_) fail("nested too deeply");
    ++p_;
    handler_.on_object_begin();
    skip_whitespace();
    std::size_t members = 0;
    if (at('}')) {
      ++p_;
      handler_.on_object_end(members);
      return;
    }
    for (;;) {
      if (!at('"')) fail("expected a member name");
      handler_.on_key(string());
      skip_whitespace();
      if (!at(':')) fail("expected ':' after a member name");
      ++p_;
      skip_whitespace();
      value(depth);
      ++members;
      skip_whitespace();
      if (at(',')) {
        ++p_;
        skip_whitespace();
        continue;
      }
      if (!at('}')) fail("expected ',' or '}' in an object");
      ++p_;
      handler_.on_object_end(members);
      return;
    }
  }

  void array(std::size_t depth) {
    if (depth > max_depth_) fail("nested too deeply");
    ++p_;
    handler_.on_array_begin();
    skip_whitespace();
    std::size_t elements = 0;
    if (at(']')) {
      ++p_;
      handler_.on_array_end(elements);
      return;
    }
    for (;;) {
      value(depth);
      ++elements;
      skip_whitespace();
      if (at(',')) {
        ++p_;
        skip_whitespace();
        continue;
      }
      if (!at(']')) fail("expected ',' or ']' in an array");
      ++p_;
      handler_.on_array_end(elements);
      return;
    }
  }

  void literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::string_view(p_, word.size()) != word)
      fail("unexpected character");
    p_ += word.size();
  }

  void number() {
    const char* start = p_;
    const bool negative = at('-');
    if (negative) ++p_;
    if (at('0')) {
      ++p_;
    } else if (digit_at()) {
      while (digit_at()) ++p_;
    } else {
      fail("unexpected character");
    }
    bool integer = true;
    if (at('.')) {
      ++p_;
      if (!digit_at()) fail("expected a digit after '.'");
      while (digit_at()) ++p_;
      integer = false;
    }
    if (at('e') || at('E')) {
      ++p_;
      if (at('+') || at('-')) ++p_;
      if (!digit_at()) fail("expected a digit in an exponent");
      while (digit_at()) ++p_;
      integer = false;
    }
    if constexpr (requires(Handler & h, std::string_view text) { h.on_number_text(text); }) {
      handler_.on_number_text(std::string_view(start, static_cast<std::size_t>(p_ - start)));
      return;
    }
    if (integer) {
      std::int64_t i = 0;
      if (std::from_chars(start, p_, i).ec == std::errc{}) {
        handler_.on_int64(i);
        return;
      }
      std::uint64_t u = 0;
      if (!negative && std::from_chars(start, p_, u).ec == std::errc{}) {
        handler_.on_uint64(u);
        return;
      }
    }
    double d = 0;
    if (std::from_chars(start, p_, d).ec != std::errc{}) d = out_of_range(start, p_, negative);
    handler_.on_double(d);
  }

  /// A well-formed number too large or too small for a double: infinity or zero (signed), as
  /// Boost.JSON reads it. Which one is told by the power of ten of its first significant digit.
  static double out_of_range(const char* first, const char* last, bool negative) {
    std::int64_t power = 0;
    bool significant = false;
    bool fraction = false;
    const char* p = negative ? first + 1 : first;
    for (; p < last && *p != 'e' && *p != 'E'; ++p) {
      if (*p == '.') {
        fraction = true;
        continue;
      }
      if (!significant && *p != '0') {
        significant = true;
        if (fraction) --power;
        continue;
      }
      if (significant && !fraction) ++power;
      if (!significant && fraction) --power;
    }
    std::int64_t exponent = 0;
    if (p < last) {
      ++p;
      const bool exponent_negative = *p == '-';
      if (*p == '+' || *p == '-') ++p;
      for (; p < last && exponent < 100'000; ++p) exponent = exponent * 10 + (*p - '0');
      if (exponent_negative) exponent = -exponent;
    }
    const double magnitude =
        significant && power + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -magnitude : magnitude;
  }

  /// Reads a string at its opening quote: a view of the text when it holds no escape, else of
  /// the unescaped copy.
  std::string_view string() {
    ++p_;
    const char* start = p_;
    for (;;) {
      skip_plain();
      if (p_ == end_) fail("unterminated string");
      const unsigned char c = byte(*p_);
      if (c == '"') {
        const std::string_view text(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return text;
      }
      if (c == '\\') break;
      if (c < 0x20) fail("control character in a string");
      utf8_sequence();
    }
    unescaped_.assign(start, p_);
    for (;;) {
      const char* run = p_;
      skip_plain();
      unescaped_.append(run, p_);
      if (p_ == end_) fail("unterminated string");
      const unsigned char c = byte(*p_);
      if (c == '"') {
        ++p_;
        return unescaped_;
      }
      if (c == '\\') {
        escape();
      } else if (c < 0x20) {
        fail("control character in a string");
      } else {
        const char* sequence = p_;
        utf8_sequence();
        unescaped_.append(sequence, p_);
      }
    }
  }

  /// Checks one UTF-8 sequence of two to four bytes (no overlong forms, no surrogates, nothing
  /// past U+10FFFF) and steps over it.
  void utf8_sequence() {
    const unsigned char lead = byte(*p_);
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      fail("invalid UTF-8 in a string");
    }
    if (static_cast<std::size_t>(end_ - p_) < length) fail("invalid UTF-8 in a string");
    const unsigned char second = byte(p_[1]);
    if (second < low || second > high) fail("invalid UTF-8 in a string");
    for (std::size_t k = 2; k < length; ++k)
      if (byte(p_[k]) < 0x80 || byte(p_[k]) > 0xBF) fail("invalid UTF-8 in a string");
    p_ += length;
  }

  unsigned hex4() {
    if (end_ - p_ < 4) fail("expected four hex digits after \\u");
    unsigned value = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = *p_++;
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<unsigned>(c - 'A' + 10);
      else
        fail("expected four hex digits after \\u");
    }
    return value;
  }

  /// Reads an escape at its backslash into unescaped_.
  void escape() {
    ++p_;
    if (p_ == end_) fail("unterminated string");
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        unescaped_ += c;
        return;
      case 'b':
        unescaped_ += '\b';
        return;
      case 'f':
        unescaped_ += '\f';
        return;
      case 'n':
        unescaped_ += '\n';
        return;
      case 'r':
        unescaped_ += '\r';
        return;
      case 't':
        unescaped_ += '\t';
        return;
      case 'u':
        break;
      default:
        fail("invalid escape in a string");
    }
    unsigned code = hex4();
    if (code >= 0xDC00 && code <= 0xDFFF) fail("a low surrogate without a high one");
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
        fail("a high surrogate without a low one");
      p_ += 2;
      const unsigned low = hex4();
      if (low < 0xDC00 || low > 0xDFFF) fail("a high surrogate without a low one");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    http::append_utf8(unescaped_, code);
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  Handler& handler_;
  std::size_t max_depth_;
  std::string unescaped_;
};

}  // namespace evstore::aws::detail
