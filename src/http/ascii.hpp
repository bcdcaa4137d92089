#pragma once
// ASCII case folding for the case-insensitive names of HTTP (header names, schemes, host
// names), shared by the http and aws layers. Locale-independent, unlike std::tolower, and
// byte-transparent above 0x7f.

#include <cstddef>
#include <string_view>

namespace evstore::http {

constexpr char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c;
}

/// Equal but for the case of ASCII letters.
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace evstore::http
