// The latency histogram's buckets and quantiles, and the counters a snapshot reads.

#include "evstore/aws/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <thread>
#include <vector>

BOOST_AUTO_TEST_SUITE(metrics)

namespace aws = evstore::aws;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(latencies_fall_in_the_first_bucket_whose_bound_holds_them) {
  BOOST_TEST(aws::latency_bucket_of(0ns) == 0u);
  BOOST_TEST(aws::latency_bucket_of(1ms) == 0u);  // bounds are inclusive
  BOOST_TEST(aws::latency_bucket_of(1ms + 1ns) == 1u);
  BOOST_TEST(aws::latency_bucket_of(7ms) == 3u);  // (5, 10]
  BOOST_TEST(aws::latency_bucket_of(100ms) == 6u);
  BOOST_TEST(aws::latency_bucket_of(30s) == aws::latency_bucket_bounds.size() - 1);
  BOOST_TEST(aws::latency_bucket_of(30s + 1ns) == aws::latency_bucket_bounds.size());
  BOOST_TEST(aws::latency_bucket_of(1h) == aws::latency_bucket_bounds.size());
}

BOOST_AUTO_TEST_CASE(bucket_bounds_ascend) {
  for (std::size_t i = 1; i < aws::latency_bucket_bounds.size(); ++i)
    BOOST_TEST(aws::latency_bucket_bounds[i - 1] < aws::latency_bucket_bounds[i]);
}

BOOST_AUTO_TEST_CASE(quantile_bounds_come_from_cumulative_counts) {
  aws::latency_histogram h;
  BOOST_TEST(!h.quantile_bound(0.5).has_value());  // empty
  h.counts[aws::latency_bucket_of(3ms)] = 90;      // (2, 5]
  h.counts[aws::latency_bucket_of(40ms)] = 9;      // (25, 50]
  h.counts[aws::latency_bucket_of(2s)] = 1;        // (1000, 2500]
  BOOST_TEST(h.total() == 100u);
  BOOST_TEST(h.quantile_bound(0.5).value() == 5ms);
  BOOST_TEST(h.quantile_bound(0.9).value() == 5ms);
  BOOST_TEST(h.quantile_bound(0.91).value() == 50ms);
  BOOST_TEST(h.quantile_bound(0.99).value() == 50ms);
  BOOST_TEST(h.quantile_bound(1.0).value() == 2500ms);
  BOOST_TEST(!h.quantile_bound(0.0).has_value());
  BOOST_TEST(!h.quantile_bound(1.5).has_value());
  h.counts.back() = 100;  // half the requests slower than every bound
  BOOST_TEST(!h.quantile_bound(0.99).has_value());
  BOOST_TEST(h.quantile_bound(0.5).value() == 2500ms);
}

BOOST_AUTO_TEST_CASE(attempts_count_errors_by_kind) {
  aws::service_metrics m;
  const aws::attempt_outcome ok{.status = 200};
  const aws::attempt_outcome throttled{.status = 400, .error_code = "ThrottlingException"};
  const aws::attempt_outcome unavailable{.status = 503};
  const aws::attempt_outcome refused{.transport_error = true};
  const aws::attempt_outcome timed_out{.transport_error = true, .timed_out = true};
  const aws::attempt_outcome rejected{.status = 400, .error_code = "ValidationException"};
  m.record_attempt(ok, aws::retry_class::success);
  m.record_attempt(throttled, aws::retry_class::throttling);
  m.record_attempt(throttled, aws::retry_class::throttling);
  m.record_attempt(unavailable, aws::retry_class::transient);
  m.record_attempt(refused, aws::retry_class::transient);
  m.record_attempt(timed_out, aws::retry_class::timeout);
  m.record_attempt(rejected, aws::retry_class::not_retryable);
  m.record_attempt(rejected, aws::retry_class::clock_skew);
  m.record_retry();
  m.record_request(3ms, false);
  m.record_request(40ms, true);
  m.add_consumed_capacity(0.5);
  m.add_consumed_capacity(2);

  const aws::service_metrics_snapshot s = m.snapshot();
  BOOST_TEST(s.attempts == 8u);
  BOOST_TEST(s.retries == 1u);
  BOOST_TEST(s.requests == 2u);
  BOOST_TEST(s.failed_requests == 1u);
  BOOST_TEST(s.errors.throttling == 2u);
  BOOST_TEST(s.errors.server == 1u);
  BOOST_TEST(s.errors.transport == 1u);
  BOOST_TEST(s.errors.timeout == 1u);
  BOOST_TEST(s.errors.client == 1u);
  BOOST_TEST(s.errors.clock_skew == 1u);
  BOOST_TEST(s.consumed_capacity_units == 2.5);
  BOOST_TEST(s.latency.counts[aws::latency_bucket_of(3ms)] == 1u);
  BOOST_TEST(s.latency.counts[aws::latency_bucket_of(40ms)] == 1u);
  BOOST_TEST(s.latency.total() == 2u);
}

BOOST_AUTO_TEST_CASE(counters_add_up_across_threads) {
  aws::service_metrics m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&m] {
      for (int i = 0; i < 10000; ++i) {
        m.record_request(std::chrono::milliseconds{i % 50}, i % 10 == 0);
        m.add_consumed_capacity(0.5);
      }
    });
  for (auto& t : threads) t.join();
  const aws::service_metrics_snapshot s = m.snapshot();
  BOOST_TEST(s.requests == 40000u);
  BOOST_TEST(s.failed_requests == 4000u);
  BOOST_TEST(s.latency.total() == 40000u);
  BOOST_TEST(s.consumed_capacity_units == 20000.0);
}

BOOST_AUTO_TEST_SUITE_END()
