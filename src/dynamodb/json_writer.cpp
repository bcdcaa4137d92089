#include "json_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace evstore::dynamodb::detail {

namespace {

constexpr std::string_view hex_digits = "0123456789abcdef";

/// Whether a byte must be escaped inside a JSON string.
constexpr std::array<bool, 256> make_escape_table() {
  std::array<bool, 256> table{};
  for (std::size_t c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = true;
  table['\\'] = true;
  return table;
}
constexpr auto needs_escape = make_escape_table();

constexpr std::uint64_t every_byte(std::uint8_t b) {
  return 0x0101010101010101ull * b;
}

/// Whether one of the eight bytes of `w` must be escaped (exact: no byte is missed, and a block
/// reported clean is clean; a false alarm only sends the block through the byte loop).
bool block_needs_escape(std::uint64_t w) {
  const std::uint64_t high = every_byte(0x80);
  const auto has_zero = [high](std::uint64_t v) { return (v - every_byte(1)) & ~v & high; };
  const std::uint64_t below_space = (w - every_byte(0x20)) & ~w & high;
  return (below_space | has_zero(w ^ every_byte('"')) | has_zero(w ^ every_byte('\\'))) != 0;
}

void append_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      const char escaped[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0x0f]};
      out.append(escaped, sizeof escaped);
    }
  }
}

template <class Range, class Write>
void append_array(std::string& out, const Range& range, Write write) {
  out += '[';
  bool first = true;
  for (const auto& e : range) {
    if (!first) out += ',';
    first = false;
    write(e);
  }
  out += ']';
}

void append_base64(std::string& out, const bytes& b) {
  out += '"';
  out += base64_encode(b.data(), b.size());
  out += '"';
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  out.reserve(out.size() + value.size() + 2);
  out += '"';
  const std::size_t size = value.size();
  std::size_t run = 0;  // start of the bytes not yet copied
  std::size_t i = 0;
  while (i < size) {
    // Eight bytes at a time while none needs an escape (payloads are mostly plain text), then
    // the block that holds one, a byte at a time.
    for (std::uint64_t w = 0; i + 8 <= size; i += 8) {
      std::memcpy(&w, value.data() + i, 8);
      if (block_needs_escape(w)) break;
    }
    const std::size_t block_end = std::min(size, i + 8);
    for (; i < block_end; ++i) {
      const auto c = static_cast<unsigned char>(value[i]);
      if (!needs_escape[c]) continue;
      out.append(value.data() + run, i - run);
      append_escape(out, c);
      run = i + 1;
    }
  }
  out.append(value.data() + run, size - run);
  out += '"';
}

void append_json(std::string& out, const attribute_value& value, json_form form) {
  const bool wire = form == json_form::wire;
  // The wire form wraps each value in an object keyed by its type, and writes numbers as strings.
  const auto append_number = [&](const std::string& text) {
    if (wire) {
      append_json_string(out, text);
    } else {
      out += text;  // checked on construction: JSON number syntax
    }
  };
  if (wire) {
    out += "{\"";
    out += wire_name(value.type());
    out += "\":";
  }
  switch (value.type()) {
    case attribute_type::s:
      append_json_string(out, value.as_string());
      break;
    case attribute_type::n:
      append_number(value.as_number_text());
      break;
    case attribute_type::b:
      append_base64(out, value.as_binary());
      break;
    case attribute_type::boolean:
      out += value.as_bool() ? "true" : "false";
      break;
    case attribute_type::null:
      out += wire ? "true" : "null";
      break;
    case attribute_type::m:
      append_json(out, value.as_map(), form);
      break;
    case attribute_type::l:
      append_array(out, value.as_list(),
                   [&](const attribute_value& e) { append_json(out, e, form); });
      break;
    case attribute_type::ss:
      append_array(out, value.as_string_set(),
                   [&](const std::string& e) { append_json_string(out, e); });
      break;
    case attribute_type::ns:
      append_array(out, value.as_number_set(), append_number);
      break;
    case attribute_type::bs:
      append_array(out, value.as_binary_set(), [&](const bytes& e) { append_base64(out, e); });
      break;
  }
  if (wire) out += '}';
}

void append_json(std::string& out, const item& attributes, json_form form) {
  out += '{';
  bool first = true;
  for (const auto& [name, value] : attributes) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, name);
    out += ':';
    append_json(out, value, form);
  }
  out += '}';
}

void append_expression_attributes(std::string& out, const expression_attribute_names& names,
                                  const expression_attribute_values& values) {
  if (!names.empty()) {
    out += ",\"ExpressionAttributeNames\":{";
    bool first = true;
    for (const auto& [placeholder, name] : names) {
      if (!first) out += ',';
      first = false;
      append_json_string(out, placeholder);
      out += ':';
      append_json_string(out, name);
    }
    out += '}';
  }
  if (!values.empty()) {
    out += ",\"ExpressionAttributeValues\":";
    append_wire_json(out, values);
  }
}

}  // namespace evstore::dynamodb::detail
