#pragma once
// Serializes the head of an HTTP/1.1 request (request line and header fields), sans I/O, so the
// pool can send it and the body as two buffers without copying the body.

#include <string>
#include <string_view>

#include "evstore/http/message.hpp"

namespace evstore::http {

/// Replaces `out` with the request line and headers of `req`, ending with the empty line.
/// Adds "Host: <authority>" when the request has no Host header, and Content-Length when the
/// body is not empty or the method is POST, PUT or PATCH. Throws boost::system::system_error
/// with errc::invalid_request when the method, target or a header could not be sent as is
/// (control characters, a Content-Length different from the body size, Transfer-Encoding).
void write_request_head(const request& req, std::string_view authority, std::string& out);

}  // namespace evstore::http
