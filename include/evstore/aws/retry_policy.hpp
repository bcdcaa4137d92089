#pragma once
// Retry decisions of the AWS "standard" retry mode. Pure logic: no clock, no I/O; the random
// source is seeded so tests are reproducible.
//
// Delay before retry n (n = 1 for the first retry) is uniform in [0, min(base * 2^(n-1), cap)]
// ("full jitter"). Throttling uses a larger base (500 ms by default) than other transient
// errors (100 ms): a throttled service needs the load to drop, not just another try.
// Clock-skew errors are retried at once: the client has corrected its clock, so waiting would
// not help.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string_view>

namespace evstore::aws {

class retry_quota;

/// Why an attempt failed, as far as retrying is concerned.
enum class retry_class {
  success,        ///< 2xx/3xx: nothing to retry
  not_retryable,  ///< the request itself is wrong or rejected (4xx validation, conditions)
  transient,      ///< 5xx, InternalServerError, connection errors, TransactionConflict, ...
  throttling,     ///< ThrottlingException, SlowDown, 429, ...
  timeout,        ///< the request timed out (costs more retry quota than other retries)
  clock_skew,     ///< the signature's time is too far from the server's
};

/// The outcome of one attempt, in the terms classify() needs.
struct attempt_outcome {
  unsigned status = 0;            ///< HTTP status; 0 when no response arrived
  std::string_view error_code{};  ///< the service's error code ("ThrottlingException"), or empty
  bool transport_error = false;   ///< no response: refused, reset, closed, TLS failure
  bool timed_out = false;         ///< no response in time (connect or request timeout)
};

/// Classifies by error code first, then by status. Auth errors (InvalidSignatureException,
/// SignatureDoesNotMatch, AuthFailure) are clock_skew only when `clock_is_skewed` (the caller
/// compared the server's Date with its own clock); RequestTimeTooSkewed, RequestExpired and
/// RequestInTheFuture always are.
retry_class classify(const attempt_outcome& outcome, bool clock_is_skewed = false) noexcept;

/// True for the error codes classify() treats as throttling.
bool is_throttling_error(std::string_view error_code) noexcept;

struct retry_options {
  /// Attempts in total, the first included (1 disables retries).
  unsigned max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds throttling_base_delay{500};
  std::chrono::milliseconds max_delay{20000};
};

struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  /// Tokens taken from the quota for this retry (to give back when the request succeeds).
  unsigned quota_cost = 0;
  /// Why not, when retry is false: "not retryable", "max attempts reached", "retry quota
  /// exhausted". Empty when retry is true.
  std::string_view reason{};
};

/// Decides whether and when to retry. Thread-safe (the random source is locked).
class retry_policy {
 public:
  explicit retry_policy(retry_options options = {}, std::uint64_t seed = std::random_device{}());

  /// `attempts_made` counts the attempt that just failed (1 after the first). Takes the
  /// retry's cost from `quota` when it decides to retry.
  retry_decision decide(retry_class what, unsigned attempts_made, retry_quota& quota);

  /// The full-jitter delay before retry `retry_number` (1-based) of an error of class `what`.
  std::chrono::milliseconds backoff(retry_class what, unsigned retry_number);

  const retry_options& options() const noexcept { return options_; }

 private:
  retry_options options_;
  std::mutex random_mutex_;
  std::mt19937_64 random_;
};

}  // namespace evstore::aws
