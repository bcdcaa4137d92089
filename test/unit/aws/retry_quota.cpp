// The retry quota token bucket.

#include "evstore/aws/retry_quota.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(retry_quota)

namespace aws = evstore::aws;

BOOST_AUTO_TEST_CASE(costs_and_exhaustion) {
  aws::retry_quota quota;
  BOOST_TEST(quota.available() == 500u);
  BOOST_TEST(quota.try_acquire(false).value_or(0) == 5u);
  BOOST_TEST(quota.try_acquire(true).value_or(0) == 10u);
  BOOST_TEST(quota.available() == 485u);
  unsigned retries = 0;
  while (quota.try_acquire(false) && retries < 1000) ++retries;
  BOOST_TEST(retries == 97u);  // 485 / 5
  BOOST_TEST(!quota.try_acquire(true));
  BOOST_TEST(quota.available() == 0u);
}

BOOST_AUTO_TEST_CASE(refunds_never_exceed_capacity) {
  aws::retry_quota quota{
      {.capacity = 20, .retry_cost = 5, .timeout_retry_cost = 10, .no_retry_increment = 1}};
  const unsigned taken = *quota.try_acquire(true) + *quota.try_acquire(false);
  BOOST_TEST(quota.available() == 5u);
  quota.on_success(0);  // a first-attempt success gives one token
  BOOST_TEST(quota.available() == 6u);
  quota.on_success(taken);
  BOOST_TEST(quota.available() == 20u);
  quota.on_success(0);
  quota.on_success(15);
  BOOST_TEST(quota.available() == 20u);
}

BOOST_AUTO_TEST_SUITE_END()
