#pragma once
// Plain HTTP request and response values: what the AWS layer builds and signs, and what the
// connection pool puts on the wire. No Beast types leak out of the http layer.

#include <string>
#include <string_view>
#include <vector>

namespace evstore::http {

struct header {
  std::string name;
  std::string value;
};

using header_list = std::vector<header>;

/// Case-insensitive lookup; empty view when absent.
std::string_view find_header(const header_list& headers, std::string_view name) noexcept;

struct request {
  std::string method;   ///< "GET", "PUT", "POST", "HEAD", "DELETE"
  std::string target;   ///< origin-form path and query, already percent-encoded
  header_list headers;  ///< the pool adds Host when absent, and Content-Length
  std::string body;
};

struct response {
  unsigned status = 0;
  header_list headers;
  std::string body;

  std::string_view header(std::string_view name) const noexcept {
    return find_header(headers, name);
  }
};

}  // namespace evstore::http
