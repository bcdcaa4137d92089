// Snapshots: never replaced by an older or equal one, large states through S3, invisible to
// replay, a save resent after its answer was lost reported saved with its state intact.

#include <boost/test/unit_test.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"
#include "support/fault_proxy.hpp"

BOOST_AUTO_TEST_SUITE(snapshots)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

snapshot state_at(std::uint64_t sequence, std::string state_json) {
  snapshot value;
  value.domain = "account";
  value.identifier = "42";
  value.sequence = sequence;
  value.state_json = std::move(state_json);
  return value;
}

std::vector<std::string> snapshot_objects(store_fixture& f) {
  std::vector<std::string> keys;
  for (const auto& object : f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "")))
    if (object.key.find("snapshots/") != std::string::npos) keys.push_back(object.key);
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_snapshots)

BOOST_AUTO_TEST_CASE(only_a_newer_snapshot_replaces_the_stored_one) {
  store_fixture f("snaporder");
  f.run(f.store.init());
  BOOST_TEST(!f.run(f.store.get_snapshot("account", "42")).has_value());
  BOOST_TEST(f.run(f.store.save_snapshot(state_at(5, R"({"balance":5})"))));
  BOOST_TEST(!f.run(f.store.save_snapshot(state_at(3, R"({"balance":3})"))));
  BOOST_TEST(!f.run(f.store.save_snapshot(state_at(5, R"({"balance":-1})"))));
  std::optional<snapshot> got = f.run(f.store.get_snapshot("account", "42"));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST(got->sequence == 5u);
  BOOST_TEST(got->state_json == R"({"balance":5})");
  BOOST_TEST(got->created.has_value());
  BOOST_TEST(f.run(f.store.save_snapshot(state_at(7, R"({"balance":7})"))));
  got = f.run(f.store.get_snapshot("account", "42"));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST(got->sequence == 7u);
  BOOST_TEST(got->state_json == R"({"balance":7})");
  // Other streams have their own snapshot; an empty identifier is a stream too.
  BOOST_TEST(!f.run(f.store.get_snapshot("account", "43")).has_value());
  snapshot unnamed = state_at(1, "[1,2]");
  unnamed.identifier = "";
  BOOST_TEST(f.run(f.store.save_snapshot(unnamed)));
  BOOST_TEST(f.run(f.store.get_snapshot("account", ""))->state_json == "[1,2]");
}

BOOST_AUTO_TEST_CASE(a_large_state_goes_to_s3_and_is_removed_when_replaced) {
  store_fixture f("snaps3");
  f.run(f.store.init());
  const std::string large = "{\"blob\":\"" + std::string(500'000, 'q') + "\"}";
  BOOST_TEST(f.run(f.store.save_snapshot(state_at(10, large))));
  BOOST_TEST(snapshot_objects(f).size() == 1u);
  std::optional<snapshot> got = f.run(f.store.get_snapshot("account", "42"));
  BOOST_TEST_REQUIRE(got.has_value());
  BOOST_TEST(got->state_json == large);
  // A losing large save leaves no object behind.
  BOOST_TEST(!f.run(f.store.save_snapshot(state_at(9, large))));
  BOOST_TEST(snapshot_objects(f).size() == 1u);
  // A newer small one replaces it and the old object goes.
  BOOST_TEST(f.run(f.store.save_snapshot(state_at(11, "{}"))));
  BOOST_TEST(snapshot_objects(f).empty());
  BOOST_TEST(f.run(f.store.get_snapshot("account", "42"))->state_json == "{}");
}

// A PutItem the server applied but whose answer was cut off is sent again by the client and
// fails its own condition: the save must still report success and keep the object its item
// points at (it used to report "a newer one is stored" and delete that object).
BOOST_AUTO_TEST_CASE(a_save_resent_after_its_applied_answer_was_lost_is_saved_and_readable) {
  store_fixture f("snapresend");
  f.run(f.store.init());
  test::fault_proxy_options faults;
  faults.upstream_url = test::dynamodb_url();
  // With 10 attempts a request fails for good about once in 170,000 (0.3^10), whatever seed.
  faults.fault_share = 0.3;
  // Both kinds forward the request, so the server applies the write before the answer breaks.
  faults.kinds = {test::fault_kind::reset_mid_response, test::fault_kind::truncated_body};
  faults.seed = test::fault_seed(12);
  test::fault_proxy proxy(faults);
  aws::config config = test::local_config();
  config.service_endpoint_urls["dynamodb"] = proxy.url();
  repo_options options = f.options;
  options.skip_table_creation = true;
  options.skip_bucket_creation = true;
  options.max_attempts = 10;
  repo faulted(f.io.get_executor(), config, options);

  for (std::uint64_t sequence = 1; sequence <= 16; ++sequence) {
    // Every other state is offloaded, so objects are both replaced and dropped.
    const std::string state = "{\"sequence\":" + std::to_string(sequence) + ",\"pad\":\"" +
                              std::string(sequence % 2 ? 400'000 : 10, 'r') + "\"}";
    BOOST_TEST(f.run(faulted.save_snapshot(state_at(sequence, state))),
               "save " << sequence << " reported as not saved");
    const std::optional<snapshot> got = f.run(f.store.get_snapshot("account", "42"));
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->sequence == sequence);
    BOOST_TEST((got->state_json == state), "state of save " << sequence << " differs");
    BOOST_TEST(snapshot_objects(f).size() == sequence % 2);
  }
  const test::fault_counts counts = proxy.counts();
  BOOST_TEST_MESSAGE("DynamoDB through the proxy: " << counts.summary());
  // The default seed resends several saves; any seed must resend at least one.
  BOOST_TEST(counts.of(test::fault_kind::reset_mid_response) +
                 counts.of(test::fault_kind::truncated_body) >=
             1u);
}

BOOST_AUTO_TEST_CASE(snapshots_are_invisible_to_replay_and_bad_ones_are_refused) {
  store_fixture f("snapreplay");
  f.run(f.store.init());
  f.run(f.store.append({make_event("account", "42", "opened")}));
  f.run(f.store.save_snapshot(state_at(1, "{}")));
  const std::vector<event> replayed = f.replay_all({});
  BOOST_TEST_REQUIRE(replayed.size() == 1u);
  BOOST_TEST(replayed[0].type == "opened");
  try {
    f.run(f.store.save_snapshot(state_at(2, "{broken")));
    BOOST_FAIL("expected an invalid snapshot error");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == store_errc::invalid_event);
  }
  snapshot no_domain = state_at(2, "{}");
  no_domain.domain = "";
  BOOST_CHECK_THROW(f.run(f.store.save_snapshot(no_domain)), boost::system::system_error);
  BOOST_TEST(f.run(f.store.get_snapshot("account", "42"))->sequence == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
