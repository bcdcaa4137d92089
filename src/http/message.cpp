#include "evstore/http/message.hpp"

#include "http/ascii.hpp"

namespace evstore::http {

std::string_view find_header(const header_list& headers, std::string_view name) noexcept {
  for (const header& h : headers) {
    if (iequals(h.name, name)) return h.value;
  }
  return {};
}

}  // namespace evstore::http
