#include "evstore/http/message.hpp"

#include <algorithm>
#include <cstddef>

namespace evstore::http {

namespace {

char ascii_lower(char c) noexcept {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return ascii_lower(x) == ascii_lower(y);
         });
}

}  // namespace

std::string_view find_header(const header_list& headers, std::string_view name) noexcept {
  for (const header& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace evstore::http
