#pragma once
// Credentials of a role assumed with a web identity token (EKS IAM roles for service
// accounts): the token file is read at each fetch (the kubelet rotates it) and sent to STS
// AssumeRoleWithWebIdentity at AWS_ENDPOINT_URL_STS, else https://sts.<region>.amazonaws.com.
// The token is a secret: it appears in no log line and no error message.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/http/client.hpp"

namespace evstore::aws {

/// Defaults for the STS connection: one request at a time, short timeouts.
http::client_options sts_client_options();

class web_identity_credentials_source final : public credentials_source {
 public:
  /// Takes cfg.web_identity and the STS endpoint cfg resolves (resolved at the first fetch, so
  /// a configuration without web identity never needs a region for it).
  web_identity_credentials_source(boost::asio::any_io_executor executor, const config& cfg,
                                  http::client_options options = sts_client_options());
  ~web_identity_credentials_source() override;

  /// Throws system_error: errc::credentials_not_found when neither the role nor the token file
  /// is configured; errc::invalid_config when one is missing, or the token file is unreadable
  /// or empty; errc::credentials_unavailable for an STS error (its code and message, e.g.
  /// InvalidIdentityToken, AccessDenied) or an unreachable STS after 3 attempts;
  /// errc::malformed_credentials for an answer without credentials.
  boost::asio::awaitable<credentials> fetch() override;
  std::string_view name() const noexcept override { return "web identity"; }

 private:
  boost::asio::any_io_executor executor_;
  config config_;
  http::client_options options_;
  std::unique_ptr<http::connection_pool> pool_;  // created at the first fetch
};

}  // namespace evstore::aws
