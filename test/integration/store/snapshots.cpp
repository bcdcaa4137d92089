// Snapshots: never replaced by an older or equal one, large states through S3, invisible to
// replay.

#include <boost/test/unit_test.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

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
