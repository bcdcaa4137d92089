#pragma once
// Counters of one service client (requests, retries, errors by kind, consumed capacity, a
// latency histogram), updated lock-free and read as a plain snapshot:
//
//   aws::service_metrics_snapshot s = client.metrics().snapshot();
//   std::printf("%llu requests, %llu throttled attempts\n", s.requests, s.errors.throttling);

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "evstore/aws/retry_policy.hpp"

namespace evstore::aws {

/// Inclusive upper bounds of the latency histogram's buckets; a last bucket holds the slower.
inline constexpr std::array<std::chrono::milliseconds, 14> latency_bucket_bounds{
    std::chrono::milliseconds{1},     std::chrono::milliseconds{2},
    std::chrono::milliseconds{5},     std::chrono::milliseconds{10},
    std::chrono::milliseconds{25},    std::chrono::milliseconds{50},
    std::chrono::milliseconds{100},   std::chrono::milliseconds{250},
    std::chrono::milliseconds{500},   std::chrono::milliseconds{1000},
    std::chrono::milliseconds{2500},  std::chrono::milliseconds{5000},
    std::chrono::milliseconds{10000}, std::chrono::milliseconds{30000}};

/// The bucket a latency falls in: the first whose bound is >= it, else the overflow bucket
/// (latency_bucket_bounds.size()).
std::size_t latency_bucket_of(std::chrono::nanoseconds latency) noexcept;

struct latency_histogram {
  /// counts[i] (i < latency_bucket_bounds.size()): requests that took more than bound i-1 and at
  /// most bound i; counts.back(): longer than the last bound.
  std::array<std::uint64_t, latency_bucket_bounds.size() + 1> counts{};

  std::uint64_t total() const noexcept;
  /// The bound of the bucket holding the q-quantile (q in (0, 1]), e.g. 0.99 for p99: the
  /// quantile is at most this. nullopt when empty or when it falls in the overflow bucket.
  std::optional<std::chrono::milliseconds> quantile_bound(double q) const noexcept;
};

/// Failed attempts by what went wrong (an attempt is one HTTP exchange; a request may make
/// several).
struct error_counts {
  std::uint64_t throttling = 0;  ///< ThrottlingException, SlowDown, 429, ...
  std::uint64_t server = 0;      ///< 5xx and other transient service errors
  std::uint64_t client = 0;      ///< not retryable: validation, failed conditions, access denied
  std::uint64_t clock_skew = 0;  ///< signature time too far from the server's
  std::uint64_t timeout = 0;     ///< no response in time
  std::uint64_t transport = 0;   ///< no response: refused, reset, TLS failure
};

struct service_metrics_snapshot {
  std::uint64_t requests = 0;  ///< send() calls finished, however they ended
  std::uint64_t attempts = 0;  ///< HTTP exchanges tried, retries included
  std::uint64_t retries = 0;   ///< attempts after a request's first
  /// Requests that ended in an error response, an exception or cancellation.
  std::uint64_t failed_requests = 0;
  error_counts errors{};
  /// DynamoDB capacity units the responses reported (ReturnConsumedCapacity TOTAL); 0 for S3.
  double consumed_capacity_units = 0;
  /// Per request, from send() to its final outcome, retries and backoff included.
  latency_histogram latency{};
  /// Adaptive retry mode: attempts that waited for the rate limiter, and their waits added up
  /// (concurrent waits each count: the sum can exceed the time that passed).
  std::uint64_t rate_limit_waits = 0;
  std::chrono::nanoseconds rate_limit_wait_time{0};
  /// Adaptive retry mode: the attempts a second the rate limiter allows now (as of the last
  /// answer); 0 while no throttling was met (no limit).
  double send_rate_limit = 0;
};

/// Thread-safe counters behind a service_metrics_snapshot.
class service_metrics {
 public:
  /// One attempt ended with `outcome`, classified `what` (retry_class::success counts no
  /// error; a transport error that is no timeout counts as transport, whatever its class).
  void record_attempt(const attempt_outcome& outcome, retry_class what) noexcept;
  void record_retry() noexcept;
  /// A request ended after `latency`; `failed` when it did not end in a 2xx response.
  void record_request(std::chrono::nanoseconds latency, bool failed) noexcept;
  void add_consumed_capacity(double units) noexcept;
  /// An attempt waited `waited` for the rate limiter.
  void record_rate_limit_wait(std::chrono::nanoseconds waited) noexcept;
  /// The rate limiter's fill rate after an answer (0: not limiting).
  void set_send_rate_limit(double attempts_per_second) noexcept;

  service_metrics_snapshot snapshot() const noexcept;

 private:
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> failed_requests_{0};
  std::array<std::atomic<std::uint64_t>, 6> errors_{};
  /// Capacity in thousandths of a unit, so it can be an integer atomic (DynamoDB reports at
  /// most a few decimals, e.g. 0.5 for an eventually consistent read).
  std::atomic<std::uint64_t> consumed_capacity_milliunits_{0};
  std::array<std::atomic<std::uint64_t>, latency_bucket_bounds.size() + 1> latency_counts_{};
  std::atomic<std::uint64_t> rate_limit_waits_{0};
  std::atomic<std::int64_t> rate_limit_wait_ns_{0};
  std::atomic<double> send_rate_limit_{0};
};

}  // namespace evstore::aws
