// Retry classification and the standard mode's decisions, with a seeded random source.

#include "evstore/aws/retry_policy.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <random>

#include "evstore/aws/retry_quota.hpp"

BOOST_AUTO_TEST_SUITE(retry_policy)

namespace aws = evstore::aws;
using namespace std::chrono_literals;

namespace {
aws::retry_class with_code(unsigned status, std::string_view code, bool skewed = false) {
  return aws::classify(
      {.status = status, .error_code = code, .transport_error = false, .timed_out = false}, skewed);
}
}  // namespace

BOOST_AUTO_TEST_CASE(classification) {
  using rc = aws::retry_class;
  BOOST_TEST((with_code(200, "") == rc::success));
  BOOST_TEST((with_code(204, "") == rc::success));
  BOOST_TEST((with_code(304, "") == rc::success));
  for (auto code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "SlowDown", "TransactionInProgressException", "LimitExceededException", "Throttling"})
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST((with_code(400, code) == rc::throttling));
    }
  BOOST_TEST((with_code(503, "SlowDown") == rc::throttling));
  BOOST_TEST((with_code(429, "") == rc::throttling));
  for (auto code : {"InternalServerError", "InternalFailure", "ServiceUnavailable",
                    "RequestTimeout", "TransactionConflict", "TransactionConflictException"})
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST((with_code(400, code) == rc::transient));
    }
  for (unsigned status : {500u, 502u, 503u, 504u}) BOOST_TEST_CONTEXT(status) {
      BOOST_TEST((with_code(status, "") == rc::transient));
    }
  BOOST_TEST((with_code(501, "") == rc::not_retryable));
  for (auto code :
       {"ConditionalCheckFailedException", "ValidationException", "ResourceNotFoundException",
        "TransactionCanceledException", "AccessDeniedException", "NoSuchKey"})
    BOOST_TEST_CONTEXT(code) {
      BOOST_TEST((with_code(400, code) == rc::not_retryable));
    }
  BOOST_TEST((with_code(404, "") == rc::not_retryable));
  BOOST_TEST((with_code(403, "RequestTimeTooSkewed") == rc::clock_skew));
  BOOST_TEST((with_code(400, "RequestExpired") == rc::clock_skew));
  // Auth errors mean clock skew only when the clocks disagree.
  BOOST_TEST((with_code(400, "InvalidSignatureException") == rc::not_retryable));
  BOOST_TEST((with_code(400, "InvalidSignatureException", true) == rc::clock_skew));
  BOOST_TEST((with_code(403, "SignatureDoesNotMatch", true) == rc::clock_skew));
  BOOST_TEST((with_code(400, "ValidationException", true) == rc::not_retryable));

  BOOST_TEST((
      aws::classify({.status = 0, .error_code = {}, .transport_error = true, .timed_out = false}) ==
      rc::transient));
  BOOST_TEST(
      (aws::classify({.status = 0, .error_code = {}, .transport_error = true, .timed_out = true}) ==
       rc::timeout));
}

BOOST_AUTO_TEST_CASE(full_jitter_stays_within_the_exponential_ceiling) {
  aws::retry_policy policy{{}, 42};
  for (unsigned retry = 1; retry <= 12; ++retry) {
    const auto ceiling = std::min(100ms * (1u << (retry - 1)), std::chrono::milliseconds{20s});
    const auto throttle_ceiling =
        std::min(500ms * (1u << (retry - 1)), std::chrono::milliseconds{20s});
    std::chrono::milliseconds largest{0};
    for (int i = 0; i < 200; ++i) {
      const auto delay = policy.backoff(aws::retry_class::transient, retry);
      BOOST_TEST(delay.count() >= 0);
      BOOST_TEST(delay <= ceiling);
      largest = std::max(largest, delay);
      BOOST_TEST(policy.backoff(aws::retry_class::throttling, retry) <= throttle_ceiling);
    }
    // Jitter spreads over the whole range: 200 draws reach its upper half.
    BOOST_TEST(largest * 2 > ceiling);
  }
  BOOST_TEST(policy.backoff(aws::retry_class::transient, 1000) <= 20s);
  BOOST_TEST(policy.backoff(aws::retry_class::clock_skew, 3).count() == 0);
}

BOOST_AUTO_TEST_CASE(same_seed_same_delays) {
  aws::retry_policy a{{}, 7};
  aws::retry_policy b{{}, 7};
  aws::retry_policy c{{}, 8};
  bool differs = false;
  for (unsigned retry = 1; retry <= 5; ++retry) {
    const auto delay = a.backoff(aws::retry_class::throttling, retry);
    BOOST_TEST(delay == b.backoff(aws::retry_class::throttling, retry));
    differs = differs || delay != c.backoff(aws::retry_class::throttling, retry);
  }
  BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(decisions) {
  aws::retry_policy policy{
      {.max_attempts = 3, .base_delay = 100ms, .throttling_base_delay = 500ms, .max_delay = 20s},
      1};
  aws::retry_quota quota;

  auto d = policy.decide(aws::retry_class::not_retryable, 1, quota);
  BOOST_TEST(!d.retry);
  BOOST_TEST(d.reason == "not retryable");
  BOOST_TEST(quota.available() == 500u);

  d = policy.decide(aws::retry_class::transient, 1, quota);
  BOOST_TEST(d.retry);
  BOOST_TEST(d.quota_cost == 5u);
  BOOST_TEST(d.delay <= 100ms);
  d = policy.decide(aws::retry_class::timeout, 2, quota);
  BOOST_TEST(d.retry);
  BOOST_TEST(d.quota_cost == 10u);
  BOOST_TEST(d.delay <= 200ms);
  BOOST_TEST(quota.available() == 485u);

  d = policy.decide(aws::retry_class::transient, 3, quota);
  BOOST_TEST(!d.retry);
  BOOST_TEST(d.reason == "max attempts reached");
  BOOST_TEST(quota.available() == 485u);

  d = policy.decide(aws::retry_class::clock_skew, 1, quota);
  BOOST_TEST(d.retry);
  BOOST_TEST(d.delay.count() == 0);
}

BOOST_AUTO_TEST_CASE(quota_exhaustion_stops_retries) {
  aws::retry_policy policy{{}, 1};
  aws::retry_quota quota{
      {.capacity = 12, .retry_cost = 5, .timeout_retry_cost = 10, .no_retry_increment = 1}};
  BOOST_TEST(policy.decide(aws::retry_class::throttling, 1, quota).retry);
  BOOST_TEST(policy.decide(aws::retry_class::throttling, 1, quota).retry);
  const auto d = policy.decide(aws::retry_class::throttling, 1, quota);
  BOOST_TEST(!d.retry);
  BOOST_TEST(d.reason == "retry quota exhausted");
  BOOST_TEST(quota.available() == 2u);
}

BOOST_AUTO_TEST_CASE(one_attempt_disables_retries) {
  aws::retry_policy policy{
      {.max_attempts = 1, .base_delay = 100ms, .throttling_base_delay = 500ms, .max_delay = 20s},
      1};
  aws::retry_quota quota;
  BOOST_TEST(!policy.decide(aws::retry_class::transient, 1, quota).retry);
}

namespace {

aws::retry_options time_bounded(aws::retry_mode mode) {
  aws::retry_options options;
  options.max_attempts = 0;
  options.mode = mode;
  options.max_time_without_progress = 60s;
  options.max_request_time = 300s;
  return options;
}

aws::retry_progress after(unsigned attempts, std::chrono::nanoseconds without_progress,
                          std::chrono::nanoseconds since_first) {
  return {.attempts_made = attempts,
          .without_progress = without_progress,
          .since_first_attempt = since_first};
}

}  // namespace

BOOST_AUTO_TEST_CASE(without_an_attempt_count_time_without_progress_bounds_retries) {
  aws::retry_policy policy{time_bounded(aws::retry_mode::standard), 1};
  aws::retry_quota quota;
  // The thousandth attempt is retried while the client makes progress.
  BOOST_TEST(policy.decide(aws::retry_class::transient, after(1000, 59s, 200s), quota).retry);
  const auto stuck = policy.decide(aws::retry_class::transient, after(3, 60s, 60s), quota);
  BOOST_TEST(!stuck.retry);
  BOOST_TEST(stuck.reason == "no progress within the time limit");
  const auto too_long = policy.decide(aws::retry_class::transient, after(50, 1s, 300s), quota);
  BOOST_TEST(!too_long.retry);
  BOOST_TEST(too_long.reason == "request time limit reached");
}

BOOST_AUTO_TEST_CASE(the_backoff_never_reaches_past_a_time_bound) {
  aws::retry_policy policy{time_bounded(aws::retry_mode::standard), 1};
  aws::retry_quota quota;
  for (int i = 0; i < 50; ++i) {
    const auto d =
        policy.decide(aws::retry_class::throttling, after(20, 59'900ms, 59'900ms), quota);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.delay <= 100ms);
    quota.on_success(d.quota_cost);
  }
}

BOOST_AUTO_TEST_CASE(adaptive_mode_retries_throttling_without_taking_from_the_quota) {
  aws::retry_quota_options small{
      .capacity = 12, .retry_cost = 5, .timeout_retry_cost = 10, .no_retry_increment = 1};
  aws::retry_policy adaptive{time_bounded(aws::retry_mode::adaptive), 1};
  aws::retry_quota quota{small};
  for (int i = 0; i < 100; ++i) {
    const auto d = adaptive.decide(aws::retry_class::throttling, after(2, 1s, 1s), quota);
    BOOST_TEST(d.retry);
    BOOST_TEST(d.quota_cost == 0u);
  }
  BOOST_TEST(quota.available() == 12u);
  // Other transient errors still take from it, and are stopped when it runs dry.
  BOOST_TEST(adaptive.decide(aws::retry_class::transient, after(2, 1s, 1s), quota).quota_cost ==
             5u);
  BOOST_TEST(adaptive.decide(aws::retry_class::transient, after(2, 1s, 1s), quota).retry);
  BOOST_TEST(adaptive.decide(aws::retry_class::transient, after(2, 1s, 1s), quota).reason ==
             "retry quota exhausted");
  // In standard mode throttling drains it like anything else.
  aws::retry_policy standard{time_bounded(aws::retry_mode::standard), 1};
  aws::retry_quota standard_quota{small};
  BOOST_TEST(standard.decide(aws::retry_class::throttling, after(2, 1s, 1s), standard_quota).retry);
  BOOST_TEST(standard.decide(aws::retry_class::throttling, after(2, 1s, 1s), standard_quota).retry);
  BOOST_TEST(
      standard.decide(aws::retry_class::throttling, after(2, 1s, 1s), standard_quota).reason ==
      "retry quota exhausted");
}

BOOST_AUTO_TEST_CASE(full_jitter_delays_stay_under_the_doubled_base_and_the_cap) {
  std::mt19937_64 random{7};
  for (unsigned doublings : {0u, 1u, 3u, 10u, 64u, 1000u}) {
    const auto ceiling = std::min<std::int64_t>(25LL << std::min(doublings, 40u), 2000);
    std::int64_t largest = 0;
    for (int i = 0; i < 2000; ++i) {
      const auto delay = aws::full_jitter_delay(25ms, doublings, 2000ms, random).count();
      BOOST_TEST_REQUIRE(delay >= 0);
      BOOST_TEST_REQUIRE(delay <= ceiling);
      largest = std::max(largest, delay);
    }
    BOOST_TEST(largest > ceiling / 2, "doublings " << doublings);  // spread over the range
  }
  BOOST_TEST(aws::full_jitter_delay(0ms, 5, 2000ms, random).count() == 0);
  BOOST_TEST(aws::full_jitter_delay(25ms, 5, 0ms, random).count() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
