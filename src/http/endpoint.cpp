#include "evstore/http/endpoint.hpp"

#include <charconv>
#include <stdexcept>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "http/ascii.hpp"

namespace evstore::http {

namespace {

[[noreturn]] void reject(std::string_view url, std::string_view why) {
  throw std::invalid_argument("invalid endpoint URL \"" + std::string(url) +
                              "\": " + std::string(why) +
                              " (expected http://host[:port][/path] or https://...)");
}

// Letters, digits, '-', '.', '_': DNS names and IPv4 literals.
bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

}  // namespace

std::string endpoint::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string result;
  result.reserve(host.size() + 8);
  if (ipv6) result += '[';
  result += host;
  if (ipv6) result += ']';
  if (port != (tls ? 443 : 80)) {
    result += ':';
    result += std::to_string(port);
  }
  return result;
}

endpoint endpoint::parse(std::string_view url) {
  // Boost.URL checks the grammar (RFC 3986: IP literals, port digits, path characters and
  // escapes); what an endpoint may not have is refused here.
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) reject(url, "not a URL (" + parsed.error().message() + ")");
  const boost::urls::url_view& u = *parsed;
  endpoint result;
  switch (u.scheme_id()) {
    case boost::urls::scheme::https:
      result.tls = true;
      result.port = 443;
      break;
    case boost::urls::scheme::http:
      result.tls = false;
      result.port = 80;
      break;
    default:
      reject(url, "the scheme must be http or https");
  }
  if (!u.has_authority()) reject(url, "the host is missing");
  if (u.has_userinfo()) reject(url, "user information is not allowed");
  if (u.has_query() || u.has_fragment()) reject(url, "a query or fragment is not allowed");

  const std::string_view host = u.encoded_host_address();
  switch (u.host_type()) {
    case boost::urls::host_type::ipv6:
      break;
    case boost::urls::host_type::ipvfuture:
      reject(url, "invalid IPv6 literal");
    default:
      for (char c : host) {
        if (!is_host_char(c)) reject(url, "invalid character in the host name");
      }
  }
  if (host.empty()) reject(url, "the host is empty");

  if (u.has_port()) {
    const std::string_view port_text = u.port();
    unsigned value = 0;
    const char* first = port_text.data();
    const char* last = first + port_text.size();
    const auto [end, error] = std::from_chars(first, last, value);
    if (port_text.empty() || error != std::errc{} || end != last || value == 0 || value > 65535) {
      reject(url, "the port must be a number from 1 to 65535");
    }
    result.port = static_cast<std::uint16_t>(value);
  }

  std::string_view path = u.encoded_path();
  // Boost.URL 1.81 takes "host:8o" or "[::1]x" for a host, a port and a relative path.
  if (!path.empty() && path.front() != '/') reject(url, "unexpected text after the host or port");
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  result.host.reserve(host.size());
  for (char c : host) result.host += ascii_lower(c);
  result.base_path = path;
  return result;
}

}  // namespace evstore::http
