#pragma once
// Credentials from the container credentials endpoint (ECS task roles, EKS Pod Identity):
// GET <url> with the Authorization token, answering credentials_json.

#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/http/client.hpp"

namespace evstore::aws {

/// Defaults for metadata endpoints: they are local, so a slow one is a broken one.
http::client_options metadata_client_options();

class container_credentials_source final : public credentials_source {
 public:
  /// An http:// URL must point at a loopback address or the ECS/EKS endpoints
  /// (169.254.170.2, 169.254.170.23, fd00:ec2::23); fetch() reports errc::invalid_config
  /// otherwise. Not configured (errc::credentials_not_found) when settings.url is empty.
  container_credentials_source(boost::asio::any_io_executor executor,
                               container_credentials_settings settings,
                               http::client_options options = metadata_client_options());
  ~container_credentials_source() override;

  boost::asio::awaitable<credentials> fetch() override;
  std::string_view name() const noexcept override { return "container endpoint"; }

 private:
  boost::asio::any_io_executor executor_;
  container_credentials_settings settings_;
  http::client_options options_;
  std::unique_ptr<http::connection_pool> pool_;  // created at the first fetch
};

}  // namespace evstore::aws
