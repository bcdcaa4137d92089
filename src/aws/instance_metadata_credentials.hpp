#pragma once
// Credentials of the EC2 instance's role through IMDSv2: PUT /latest/api/token for a session
// token, GET /latest/meta-data/iam/security-credentials/ for the role name, then GET
// .../<role> for credentials_json, both with X-aws-ec2-metadata-token.

#include <chrono>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "aws/container_credentials.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/http/client.hpp"

namespace evstore::aws {

class instance_metadata_credentials_source final : public credentials_source {
 public:
  /// Not configured (errc::credentials_not_found) when settings.disabled. `token_ttl` is
  /// asked for in X-aws-ec2-metadata-token-ttl-seconds; the token is reused until a minute
  /// before it ends.
  instance_metadata_credentials_source(boost::asio::any_io_executor executor,
                                       instance_metadata_settings settings,
                                       http::client_options options = metadata_client_options(),
                                       std::chrono::seconds token_ttl = std::chrono::hours{6});
  ~instance_metadata_credentials_source() override;

  boost::asio::awaitable<credentials> fetch() override;
  std::string_view name() const noexcept override { return "EC2 instance metadata"; }

 private:
  boost::asio::awaitable<std::string> session_token();

  boost::asio::any_io_executor executor_;
  instance_metadata_settings settings_;
  http::client_options options_;
  std::chrono::seconds token_ttl_;
  std::unique_ptr<http::connection_pool> pool_;  // created at the first fetch
  std::string token_;
  std::chrono::steady_clock::time_point token_expiry_;
};

}  // namespace evstore::aws
