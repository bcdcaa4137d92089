#include "evstore/http/error.hpp"

#include <string>

namespace evstore::http {

namespace {

// boost::system::error_category has a non-virtual destructor by design (categories are
// singletons never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "evstore.http"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::resolve_failed:
        return "host name resolution failed";
      case errc::connect_failed:
        return "connection refused or unreachable";
      case errc::connect_timeout:
        return "connect timed out";
      case errc::tls_handshake_failed:
        return "TLS handshake failed";
      case errc::request_timeout:
        return "request timed out";
      case errc::connection_closed:
        return "connection closed before a complete response";
      case errc::malformed_response:
        return "malformed HTTP response";
      case errc::response_too_large:
        return "response body too large";
      case errc::invalid_request:
        return "invalid HTTP request";
    }
    return "unknown http error " + std::to_string(value);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& http_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace evstore::http
