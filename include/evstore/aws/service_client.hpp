#pragma once
// The client the dynamodb and s3 layers send through: signs each attempt, sends it over a
// keep-alive connection pool, and retries what the AWS "standard" retry mode retries.
//
//   auto creds = aws::make_default_credentials_provider(ex, cfg);
//   aws::service_client ddb{ex, cfg.endpoint_for("dynamodb"), cfg.region, "dynamodb", creds};
//   http::response res = co_await ddb.send(std::move(req), read_dynamodb_error_code);
//   if (res.status != 200) throw my_typed_error(res);   // the caller's own error parsing
//
// Per attempt: get credentials (cached by the provider), sign a fresh copy of the request with
// the corrected clock, send it. For a non-2xx response the service-specific reader gives the
// error code ("ThrottlingException", "SlowDown"); the retry policy then decides. A clock-skew
// error (RequestTimeTooSkewed, or an auth error while the server's Date is far from ours)
// updates the client's clock offset from the response's Date header and retries at once.
// In adaptive retry mode each attempt first takes a token from the client's rate limiter
// (rate_limiter.hpp), waiting on a timer while throttling has slowed the client down.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/logger.hpp"
#include "evstore/aws/metrics.hpp"
#include "evstore/aws/rate_limiter.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/aws/retry_quota.hpp"
#include "evstore/aws/sigv4.hpp"
#include "evstore/http/client.hpp"
#include "evstore/http/endpoint.hpp"
#include "evstore/http/message.hpp"

namespace evstore::aws {

/// Returns the service's error code of a non-2xx response ("ThrottlingException" from a
/// DynamoDB `__type`, "SlowDown" from an S3 `<Code>`), or "" when the body carries none (the
/// status then decides). Called only for non-2xx responses; must not throw. send() keeps its
/// own copy, so a temporary is fine. It may return a
/// more telling code than the body's to steer retries: e.g. "TransactionConflict" for a
/// TransactionCanceledException whose reasons are only TransactionConflict/None (retried),
/// where the plain code is not retried. See retry_policy.hpp for the codes retried.
using error_code_reader = std::function<std::string(const http::response&)>;

/// Says whether a 2xx response arrived intact (e.g. its body matches its x-amz-crc32). One that
/// did not is retried like a transient failure; when retries are spent it is returned as it
/// is, for the caller to report. Must not throw.
using response_check = std::function<bool(const http::response&)>;

struct service_client_options {
  sigv4_options signing{};
  http::client_options http{};
  retry_options retry{};
  retry_quota_options quota{};
  /// The adaptive mode's rate limiter (unused in standard mode).
  rate_limiter_options rate_limiter{};
  /// Seed of the backoff jitter (tests fix it to make delays reproducible).
  std::uint64_t retry_seed = std::random_device{}();
  /// Time source for signatures (tests inject a fake); system_clock::now when empty.
  system_clock_function clock{};
  /// Where requests, retries and errors are counted; clients given the same one add up (an S3
  /// client's per-bucket clients do). A fresh one when empty.
  std::shared_ptr<service_metrics> metrics{};
  /// Retries (debug), throttled attempts and requests given up (warning) are reported here.
  aws::logger log{};
};

class service_client_impl;

/// Executor model: the client does all its work (connection pool, timers) on the executor it
/// is given, with no strand of its own. Call send() from coroutines running on that executor;
/// one running elsewhere is carried over to it for each attempt's exchange (a co_spawn). An
/// io_context run by one thread needs nothing more; one run by several threads needs the
/// client given a strand (asio::make_strand(ioc)), which then serialises the client's work.
class service_client {
 public:
  using executor_type = boost::asio::any_io_executor;

  /// `target` from config::endpoint_for / config::s3_endpoint_for; `region` and `service` are
  /// the signing scope ("us-east-1", "dynamodb" or "s3"). Throws system_error with
  /// errc::missing_region when `region` is empty.
  service_client(boost::asio::any_io_executor executor, http::endpoint target, std::string region,
                 std::string service, std::shared_ptr<credentials_provider> credentials,
                 service_client_options options = {});
  ~service_client();
  service_client(service_client&&) noexcept;
  service_client& operator=(service_client&&) noexcept;

  /// Sends `req` and returns the final response: a 2xx, a non-retryable error, or the last
  /// retryable error once max attempts, the time bounds or the retry quota are spent (see
  /// retry_options); turning a non-2xx into a
  /// typed error is the caller's job. `req.target` is relative to the endpoint: the client
  /// prefixes target().base_path. The client adds Host, X-Amz-Date, Authorization (and the
  /// token and S3 headers) on each attempt; headers the caller set are kept.
  ///
  /// Throws system_error: the transport error (http::errc or Asio) once retries are spent,
  /// with a message naming the endpoint and the attempts made (at once for
  /// http::errc::invalid_request and response_too_large); credential errors (errc);
  /// boost::asio::error::operation_aborted when the awaiting coroutine is cancelled, also
  /// while waiting out a backoff.
  boost::asio::awaitable<http::response> send(http::request req, error_code_reader read_error_code,
                                              response_check intact = {});

  /// The executor the client runs its work on (as given to the constructor).
  executor_type get_executor() const noexcept;

  /// Closes the pool's idle connections now and busy ones when their request ends (on the
  /// client's executor: callable from any thread). Requests in flight are not cancelled.
  void close();

  const http::endpoint& target() const noexcept;
  const std::string& region() const noexcept;
  /// Server time minus local time, as learnt from clock-skew errors (zero until one occurs).
  std::chrono::system_clock::duration clock_offset() const noexcept;
  const retry_quota& quota() const noexcept;
  /// The adaptive mode's rate limiter (inert in standard mode).
  const aws::rate_limiter& rate_limiter() const noexcept;
  /// The pool, e.g. for its connection counters.
  const http::connection_pool& pool() const noexcept;
  /// The counters this client adds to (options.metrics when one was given).
  service_metrics& metrics() const noexcept;

 private:
  // Shared with running send() coroutines, so destroying the client mid-request is safe.
  std::shared_ptr<service_client_impl> impl_;
};

}  // namespace evstore::aws
