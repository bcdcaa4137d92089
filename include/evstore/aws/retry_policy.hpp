#pragma once
// Retry decisions of the AWS "standard" retry mode. Pure logic: no clock, no I/O; the random
// source is seeded so tests are reproducible.
//
// Delay before retry n (n = 1 for the first retry) is uniform in [0, min(base * 2^(n-1), cap)]
// ("full jitter"). Throttling uses a larger base (500 ms by default) than other transient
// errors (100 ms): a throttled service needs the load to drop, not just another try.
// Clock-skew errors are retried at once: the client has corrected its clock, so waiting would
// not help.
//
// Besides (or instead of) a count of attempts, retries can be bounded by time: a request gives
// up once its client has made no progress (no request of it succeeded, and the request itself
// started no later) for max_time_without_progress, or once the request has been retried for
// max_request_time. In adaptive mode throttling takes nothing from the retry quota: a
// client-side rate limiter (rate_limiter.hpp) slows the client down instead, and the quota
// stays for outages.

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

enum class retry_mode {
  /// Throttling is retried like other transient errors, within the retry quota.
  standard,
  /// Throttling is retried without taking from the quota; the client's rate limiter paces its
  /// attempts instead.
  adaptive,
};

struct retry_options {
  /// Attempts in total, the first included (1 disables retries; 0: no count, only the time
  /// bounds below).
  unsigned max_attempts = 3;
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds throttling_base_delay{500};
  std::chrono::milliseconds max_delay{20000};
  retry_mode mode = retry_mode::standard;
  /// A failed request is not retried once the client has made no progress for this long: no
  /// request of the client succeeded since, and the request itself started earlier. 0: no
  /// such bound.
  std::chrono::milliseconds max_time_without_progress{0};
  /// A failed request is not retried once this long has passed since its first attempt. 0: no
  /// such bound.
  std::chrono::milliseconds max_request_time{0};
};

/// Where a failing request stands, for retry_policy::decide.
struct retry_progress {
  /// Attempts made, the one that just failed included (1 after the first).
  unsigned attempts_made = 1;
  /// Since the later of the request's first attempt and the client's last success.
  std::chrono::nanoseconds without_progress{0};
  /// Since the request's first attempt.
  std::chrono::nanoseconds since_first_attempt{0};
};

struct retry_decision {
  bool retry = false;
  std::chrono::milliseconds delay{0};
  /// Tokens taken from the quota for this retry (to give back when the request succeeds).
  unsigned quota_cost = 0;
  /// Why not, when retry is false: "not retryable", "max attempts reached", "no progress
  /// within the time limit", "request time limit reached", "retry quota exhausted". Empty when
  /// retry is true.
  std::string_view reason{};
};

/// The "full jitter" delay: uniform in [0, min(cap, base * 2^doublings)], 0 when that is not
/// positive. The one backoff of the library: the retry policy's and the store's waits (a head
/// moved by another writer, keys BatchGetItem left unprocessed) use it.
std::chrono::milliseconds full_jitter_delay(std::chrono::milliseconds base, unsigned doublings,
                                            std::chrono::milliseconds cap, std::mt19937_64& random);

/// Decides whether and when to retry. Thread-safe (the random source is locked).
class retry_policy {
 public:
  explicit retry_policy(retry_options options = {}, std::uint64_t seed = std::random_device{}());

  /// Takes the retry's cost from `quota` when it decides to retry (nothing for throttling in
  /// adaptive mode). The delay never reaches past a time bound: the last retry comes at it.
  retry_decision decide(retry_class what, const retry_progress& progress, retry_quota& quota);
  /// decide() for a request without time bounds in play.
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
