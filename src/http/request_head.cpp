#include "http/request_head.hpp"

#include <charconv>
#include <string>

#include <boost/system/system_error.hpp>

#include "evstore/http/error.hpp"
#include "http/ascii.hpp"

namespace evstore::http {

namespace {

[[noreturn]] void reject(const std::string& why) {
  throw boost::system::system_error(make_error_code(errc::invalid_request), why);
}

// RFC 9110 token characters (methods, header names).
bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_token(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

// Visible characters only: no space, no control character.
bool is_valid_target(std::string_view target) noexcept {
  if (target.empty()) return false;
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f) return false;
  }
  return true;
}

// Field values may hold spaces, tabs and octets >= 0x80, not CR, LF or other controls.
bool is_valid_value(std::string_view value) noexcept {
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) return false;
  }
  return true;
}

void append_number(std::string& out, std::size_t value) {
  char digits[24];
  const auto result = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, result.ptr);
}

}  // namespace

void write_request_head(const request& req, std::string_view authority, std::string& out) {
  if (!is_token(req.method)) reject("invalid HTTP method \"" + req.method + "\"");
  if (!is_valid_target(req.target)) {
    reject("invalid request target (empty, or containing spaces or control characters)");
  }
  out.clear();
  out.append(req.method).append(" ").append(req.target).append(" HTTP/1.1\r\n");

  bool has_host = false;
  bool has_content_length = false;
  for (const header& h : req.headers) {
    // Header values are never quoted in errors: they may be credentials.
    if (!is_token(h.name)) reject("invalid header name \"" + h.name + "\"");
    if (!is_valid_value(h.value)) reject("control character in the value of header " + h.name);
    if (iequals(h.name, "host")) {
      has_host = true;
    } else if (iequals(h.name, "content-length")) {
      std::size_t declared = 0;
      const auto [end, error] =
          std::from_chars(h.value.data(), h.value.data() + h.value.size(), declared);
      if (error != std::errc{} || end != h.value.data() + h.value.size() ||
          declared != req.body.size()) {
        reject("Content-Length header does not match the body size " +
               std::to_string(req.body.size()));
      }
      has_content_length = true;
    } else if (iequals(h.name, "transfer-encoding")) {
      reject("Transfer-Encoding is not supported; send the whole body with Content-Length");
    }
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  if (!has_host) out.append("Host: ").append(authority).append("\r\n");
  if (!has_content_length &&
      (!req.body.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH")) {
    out.append("Content-Length: ");
    append_number(out, req.body.size());
    out.append("\r\n");
  }
  out.append("\r\n");
}

}  // namespace evstore::http
