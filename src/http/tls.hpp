#pragma once
// OpenSSL set-up for client connections: the per-pool context and the per-connection checks.

#include <string>
#include <string_view>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <openssl/ssl.h>

namespace evstore::http {

/// TLS 1.2 or later, peer verification against `ca_file`, or the system trust store when empty.
/// Throws std::invalid_argument naming the file when it cannot be loaded.
boost::asio::ssl::context make_client_tls_context(const std::string& ca_file);

/// Sends SNI (for host names, not IP literals) and makes the handshake fail unless the
/// certificate is valid for `host` (DNS name or IP literal).
void require_peer_name(SSL* ssl, const std::string& host);

/// "certificate verify failed (hostname mismatch)" and the like, for error messages.
std::string describe_handshake_failure(SSL* ssl, const boost::system::error_code& ec);

}  // namespace evstore::http
