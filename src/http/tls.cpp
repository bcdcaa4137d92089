#include "tls.hpp"

#include <stdexcept>

#include <openssl/x509_vfy.h>
#include <boost/asio/ip/address.hpp>

namespace evstore::http {

namespace ssl = boost::asio::ssl;

ssl::context make_client_tls_context(const std::string& ca_file) {
  ssl::context context(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  context.set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) throw std::invalid_argument("cannot load the system TLS trust store: " + ec.message());
  } else {
    context.load_verify_file(ca_file, ec);
    if (ec) {
      throw std::invalid_argument("cannot load CA file \"" + ca_file +
                                  "\" (client_options::ca_file): " + ec.message());
    }
  }
  return context;
}

void require_peer_name(SSL* ssl, const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  const bool ip_literal = !ec;
  // RFC 6066: SNI carries host names only, never IP literals.
  const bool configured =
      ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1
                 : SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
                       SSL_set1_host(ssl, host.c_str()) == 1;
  if (!configured) {
    throw std::invalid_argument("cannot set up TLS peer verification for host \"" + host + "\"");
  }
}

std::string describe_handshake_failure(SSL* ssl, const boost::system::error_code& ec) {
  std::string text = ec.message();
  const long verify_result = SSL_get_verify_result(ssl);
  if (verify_result != X509_V_OK) {
    text += " (";
    text += X509_verify_cert_error_string(verify_result);
    text += ")";
  }
  return text;
}

}  // namespace evstore::http
