#include "evstore/http/endpoint.hpp"

#include <charconv>
#include <stdexcept>

#include <boost/asio/ip/address_v6.hpp>

#include "evstore/http/ascii.hpp"

namespace evstore::http {

namespace {

[[noreturn]] void reject(std::string_view url, std::string_view why) {
  throw std::invalid_argument("invalid endpoint URL \"" + std::string(url) +
                              "\": " + std::string(why) +
                              " (expected http://host[:port][/path] or https://...)");
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (ascii_lower(text[i]) != prefix[i]) return false;
  }
  return true;
}

// Letters, digits, '-', '.', '_': DNS names and IPv4 literals.
bool is_host_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

// RFC 3986 pchar plus '/', without '?' and '#' (query and fragment make no sense in a base).
bool is_path_char(char c) noexcept {
  if (is_host_char(c) || c == '~' || c == '/' || c == ':' || c == '@' || c == '%') return true;
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
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
  endpoint result;
  std::string_view rest;
  if (starts_with_ignoring_case(url, "https://")) {
    result.tls = true;
    result.port = 443;
    rest = url.substr(8);
  } else if (starts_with_ignoring_case(url, "http://")) {
    result.tls = false;
    result.port = 80;
    rest = url.substr(7);
  } else {
    reject(url, "the scheme must be http or https");
  }

  const std::size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  if (authority.find('@') != std::string_view::npos) reject(url, "user information is not allowed");
  if (authority.find_first_of("?#") != std::string_view::npos ||
      path.find_first_of("?#") != std::string_view::npos) {
    reject(url, "a query or fragment is not allowed");
  }

  std::string_view host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) reject(url, "unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') reject(url, "unexpected text after the IPv6 literal");
      has_port = true;
      port_text = after.substr(1);
    }
    boost::system::error_code ec;
    boost::asio::ip::make_address_v6(std::string(host), ec);
    if (ec || host.find('%') != std::string_view::npos) reject(url, "invalid IPv6 literal");
  } else {
    const std::size_t colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    for (char c : host) {
      if (!is_host_char(c)) reject(url, "invalid character in the host name");
    }
  }
  if (host.empty()) reject(url, "the host is empty");

  if (has_port) {
    unsigned value = 0;
    const char* first = port_text.data();
    const char* last = first + port_text.size();
    const auto [end, error] = std::from_chars(first, last, value);
    if (port_text.empty() || error != std::errc{} || end != last || value == 0 || value > 65535) {
      reject(url, "the port must be a number from 1 to 65535");
    }
    result.port = static_cast<std::uint16_t>(value);
  }

  for (char c : path) {
    if (!is_path_char(c)) reject(url, "invalid character in the path");
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);

  result.host.reserve(host.size());
  for (char c : host) result.host += ascii_lower(c);
  result.base_path = path;
  return result;
}

}  // namespace evstore::http
