#include "http/percent_encoding.hpp"

#include <array>

namespace evstore::http {

namespace {

constexpr std::array<bool, 256> make_unreserved_table() {
  std::array<bool, 256> table{};
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  table['-'] = table['.'] = table['_'] = table['~'] = true;
  return table;
}

constexpr std::array<bool, 256> unreserved = make_unreserved_table();
constexpr char upper_hex[] = "0123456789ABCDEF";

}  // namespace

void append_percent_encoded(std::string& out, std::string_view text, bool keep_slash) {
  // Runs of bytes kept as they are go in one append: per-byte appends dominated the time of a
  // whole SigV4 signature.
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (unreserved[c] || (keep_slash && c == '/')) continue;
    out.append(text.data() + run_start, i - run_start);
    const char escape[3] = {'%', upper_hex[c >> 4], upper_hex[c & 0x0f]};
    out.append(escape, 3);
    run_start = i + 1;
  }
  out.append(text.data() + run_start, text.size() - run_start);
}

int hex_digit_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace evstore::http
