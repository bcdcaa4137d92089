#pragma once
// Where the credentials come from: a chain of sources tried in order, behind a cache that
// refreshes temporary credentials before they expire.
//
// get() never waits while the cached credentials are valid: inside the refresh window (5 min
// before expiry by default) it still answers from the cache and starts one refresh in the
// background. Only when there are no valid credentials do callers wait, and then all of them
// share one fetch.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/aws/credentials.hpp"

namespace evstore::aws {

struct config;

/// One way to obtain credentials (no caching).
class credentials_source {
 public:
  virtual ~credentials_source() = default;

  /// Fetches credentials. Throws system_error with errc::credentials_not_found when this source
  /// is not configured (the chain then tries the next source); any other error ends the chain.
  virtual boost::asio::awaitable<credentials> fetch() = 0;

  /// What the source is, for error messages: "environment", "container endpoint", ...
  virtual std::string_view name() const noexcept = 0;
};

/// Credentials known in advance (explicit settings, environment, profile file).
class static_credentials_source final : public credentials_source {
 public:
  /// `name` says where they came from, e.g. "environment (AWS_ACCESS_KEY_ID)".
  static_credentials_source(credentials creds, std::string name);
  boost::asio::awaitable<credentials> fetch() override;
  std::string_view name() const noexcept override { return name_; }

 private:
  credentials credentials_;
  std::string name_;
};

using system_clock_function = std::function<std::chrono::system_clock::time_point()>;

struct credentials_provider_options {
  /// Temporary credentials are refreshed this long before they expire.
  std::chrono::seconds refresh_before_expiry{300};
  /// After a failed background refresh, the next one waits this long.
  std::chrono::seconds refresh_retry_interval{10};
  /// Time source (tests inject a fake one); system_clock::now when empty.
  system_clock_function clock{};
};

class credentials_provider_impl;

/// A cached chain of credential sources. Thread-safe. Sources that need I/O run on the
/// executor given here (internally on a strand).
class credentials_provider {
 public:
  credentials_provider(boost::asio::any_io_executor executor,
                       std::vector<std::unique_ptr<credentials_source>> chain,
                       credentials_provider_options options = {});
  ~credentials_provider();
  credentials_provider(const credentials_provider&) = delete;
  credentials_provider& operator=(const credentials_provider&) = delete;

  /// Valid credentials. Throws system_error (errc::credentials_not_found when no source had
  /// any, or the failing source's error); the message names the sources, never a secret.
  boost::asio::awaitable<credentials> get();

  /// Fetches made so far (initial and refreshes), for tests and metrics.
  std::size_t fetch_count() const noexcept;

 private:
  std::shared_ptr<credentials_provider_impl> impl_;
};

/// A provider that always answers `creds` (never refreshed).
std::shared_ptr<credentials_provider> make_static_credentials_provider(
    boost::asio::any_io_executor executor, credentials creds);

/// The standard chain for `cfg`: its static credentials (explicit settings, then environment,
/// then profile files, as resolved by config), then web identity (AWS_ROLE_ARN with
/// AWS_WEB_IDENTITY_TOKEN_FILE, through STS), then the container endpoint
/// (AWS_CONTAINER_CREDENTIALS_*), then EC2 instance metadata (IMDSv2) unless disabled.
std::shared_ptr<credentials_provider> make_default_credentials_provider(
    boost::asio::any_io_executor executor, const config& cfg,
    credentials_provider_options options = {});

}  // namespace evstore::aws
