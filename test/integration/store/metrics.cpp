// repo::metrics() after real operations on DynamoDB Local and fauxqs: requests, consumed
// capacity, S3 traffic for an offloaded payload, and a rejected append counted as an error.

#include <boost/test/unit_test.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(metrics)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

BOOST_AUTO_TEST_CASE(counts_move_with_real_operations) {
  repo_options tweaks;
  tweaks.offload_threshold_bytes = 1000;
  store_fixture f("metrics", tweaks);
  const repo_metrics before = f.store.metrics();
  BOOST_TEST(before.dynamodb.requests == 0u);
  BOOST_TEST(before.s3.requests == 0u);

  f.run(f.store.init());
  const repo_metrics initialised = f.store.metrics();
  BOOST_TEST(initialised.dynamodb.requests > 0u);
  BOOST_TEST(initialised.s3.requests > 0u);  // the bucket checked or created

  std::vector<event> batch{
      make_event("account", "m1", "opened", R"({"owner":"ada"})"),
      make_event("account", "m1", "noted", "{\"text\":\"" + std::string(5000, 'x') + "\"}")};
  append_options first;
  first.expected_sequence = 0;
  f.run(f.store.append(std::move(batch), first));
  const repo_metrics appended = f.store.metrics();
  BOOST_TEST(appended.dynamodb.requests > initialised.dynamodb.requests);
  BOOST_TEST(appended.dynamodb.consumed_capacity_units >
             initialised.dynamodb.consumed_capacity_units);
  BOOST_TEST(appended.s3.requests > initialised.s3.requests);  // the offloaded payload

  // A stale expected version: the transaction is cancelled, a rejected (client) attempt.
  std::vector<event> stale{make_event("account", "m1", "closed")};
  append_options conflicting;
  conflicting.expected_sequence = 0;
  BOOST_CHECK_THROW(f.run(f.store.append(std::move(stale), conflicting)), concurrency_error);
  const repo_metrics rejected = f.store.metrics();
  BOOST_TEST(rejected.dynamodb.errors.client > appended.dynamodb.errors.client);
  BOOST_TEST(rejected.dynamodb.failed_requests > appended.dynamodb.failed_requests);

  replay_options whole;
  const std::vector<event> events = f.replay_all(whole);
  BOOST_TEST(events.size() == 2u);
  const repo_metrics replayed = f.store.metrics();
  BOOST_TEST(replayed.dynamodb.requests > rejected.dynamodb.requests);
  BOOST_TEST(replayed.dynamodb.consumed_capacity_units > rejected.dynamodb.consumed_capacity_units);
  BOOST_TEST(replayed.s3.requests > rejected.s3.requests);  // the payload read back
  BOOST_TEST(replayed.dynamodb.latency.total() == replayed.dynamodb.requests);
  BOOST_TEST(replayed.dynamodb.attempts >= replayed.dynamodb.requests);
}

BOOST_AUTO_TEST_SUITE_END()
