#include "evstore/aws/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <span>

#include "evstore/aws/retry_quota.hpp"

namespace evstore::aws {

namespace {

bool is_one_of(std::string_view code, std::span<const std::string_view> codes) noexcept {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// Codes the AWS SDKs' standard retry mode treats as throttling, plus DynamoDB's transaction
// ones (TransactionInProgressException: an earlier attempt with the same token is running).
constexpr std::array<std::string_view, 16> throttling_codes{
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
    "ThrottlingError",  // a TransactionCanceledException cancellation reason
    "RequestLimitExceededException",
};

constexpr std::array<std::string_view, 9> transient_codes{
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalServerError",
    "InternalFailure",
    "InternalError",
    "ServiceUnavailable",
    "TransactionConflict",  // a TransactionCanceledException cancellation reason
    "TransactionConflictException",
    "IDPCommunicationError",
};

constexpr std::array<std::string_view, 3> skew_codes{
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
};

constexpr std::array<std::string_view, 3> auth_codes{
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
};

}  // namespace

bool is_throttling_error(std::string_view error_code) noexcept {
  return is_one_of(error_code, throttling_codes);
}

retry_class classify(const attempt_outcome& outcome, bool clock_is_skewed) noexcept {
  if (outcome.timed_out) return retry_class::timeout;
  if (outcome.transport_error || outcome.status == 0) return retry_class::transient;
  const std::string_view code = outcome.error_code;
  if (!code.empty()) {
    if (is_throttling_error(code)) return retry_class::throttling;
    if (is_one_of(code, transient_codes)) return retry_class::transient;
    if (is_one_of(code, skew_codes)) return retry_class::clock_skew;
    if (clock_is_skewed && is_one_of(code, auth_codes)) return retry_class::clock_skew;
  }
  if (outcome.status >= 200 && outcome.status < 300 && code.empty()) return retry_class::success;
  if (outcome.status == 429) return retry_class::throttling;
  switch (outcome.status) {
    case 500:
    case 502:
    case 503:
    case 504:
      return retry_class::transient;
    default:
      break;
  }
  if (outcome.status < 400 && code.empty()) return retry_class::success;
  return retry_class::not_retryable;
}

std::chrono::milliseconds full_jitter_delay(std::chrono::milliseconds base, unsigned doublings,
                                            std::chrono::milliseconds cap,
                                            std::mt19937_64& random) {
  // base * 2^doublings, saturating at cap; the shift is bounded so it cannot overflow whatever
  // doublings is.
  const long double uncapped =
      static_cast<long double>(base.count()) *
      static_cast<long double>(std::uint64_t{1} << std::min(doublings, 40u));
  const auto ceiling =
      static_cast<std::int64_t>(std::min(uncapped, static_cast<long double>(cap.count())));
  if (ceiling <= 0) return std::chrono::milliseconds{0};
  return std::chrono::milliseconds{std::uniform_int_distribution<std::int64_t>{0, ceiling}(random)};
}

retry_policy::retry_policy(retry_options options, std::uint64_t seed)
    : options_(options), random_(seed) {}

std::chrono::milliseconds retry_policy::backoff(retry_class what, unsigned retry_number) {
  if (what == retry_class::clock_skew) return std::chrono::milliseconds{0};
  const std::chrono::milliseconds base =
      what == retry_class::throttling ? options_.throttling_base_delay : options_.base_delay;
  const std::lock_guard lock{random_mutex_};
  return full_jitter_delay(base, retry_number > 0 ? retry_number - 1 : 0u, options_.max_delay,
                           random_);
}

retry_decision retry_policy::decide(retry_class what, unsigned attempts_made, retry_quota& quota) {
  const retry_progress progress{.attempts_made = attempts_made,
                                .without_progress = std::chrono::nanoseconds{0},
                                .since_first_attempt = std::chrono::nanoseconds{0}};
  return decide(what, progress, quota);
}

retry_decision retry_policy::decide(retry_class what, const retry_progress& progress,
                                    retry_quota& quota) {
  using std::chrono::nanoseconds;
  if (what == retry_class::success || what == retry_class::not_retryable)
    return {.reason = "not retryable"};
  if (options_.max_attempts > 0 && progress.attempts_made >= options_.max_attempts)
    return {.reason = "max attempts reached"};
  // Time left before each bound (the largest duration when unbounded).
  nanoseconds time_left = nanoseconds::max();
  if (options_.max_time_without_progress.count() > 0) {
    if (progress.without_progress >= options_.max_time_without_progress)
      return {.reason = "no progress within the time limit"};
    time_left = std::min<nanoseconds>(
        time_left, options_.max_time_without_progress - progress.without_progress);
  }
  if (options_.max_request_time.count() > 0) {
    if (progress.since_first_attempt >= options_.max_request_time)
      return {.reason = "request time limit reached"};
    time_left =
        std::min<nanoseconds>(time_left, options_.max_request_time - progress.since_first_attempt);
  }
  unsigned cost = 0;
  if (what != retry_class::throttling || options_.mode != retry_mode::adaptive) {
    const std::optional<unsigned> taken = quota.try_acquire(what == retry_class::timeout);
    if (!taken) return {.reason = "retry quota exhausted"};
    cost = *taken;
  }
  std::chrono::milliseconds delay = backoff(what, progress.attempts_made);
  if (delay > time_left) delay = std::chrono::floor<std::chrono::milliseconds>(time_left);
  return {.retry = true, .delay = delay, .quota_cost = cost, .reason = {}};
}

}  // namespace evstore::aws
