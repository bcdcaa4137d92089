#pragma once
// Error codes of the http layer. Failures are thrown as boost::system::system_error carrying one
// of these (or an Asio/OpenSSL code) with a message that names the endpoint.

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace evstore::http {

enum class errc {
  resolve_failed = 1,    ///< the host name did not resolve
  connect_failed,        ///< no address of the endpoint accepted a TCP connection
  connect_timeout,       ///< connecting (TCP and TLS) took longer than connect_timeout
  tls_handshake_failed,  ///< certificate verification or TLS negotiation failed
  request_timeout,       ///< the whole request took longer than request_timeout
  connection_closed,     ///< the server closed the connection before a complete response
  malformed_response,    ///< the response is not valid HTTP/1.1
  response_too_large,    ///< the response body exceeds max_response_body
  invalid_request,       ///< the request cannot be put on the wire (e.g. CR/LF in a header)
};

const boost::system::error_category& http_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), http_category()};
}

}  // namespace evstore::http

template <>
struct boost::system::is_error_code_enum<evstore::http::errc> : std::true_type {};
