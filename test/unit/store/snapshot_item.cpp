#include <boost/test/unit_test.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/validation.hpp"
#include "store/snapshot_item.hpp"

BOOST_AUTO_TEST_SUITE(snapshot_item)

namespace ddb = evstore::dynamodb;
using evstore::snapshot;

namespace {

snapshot sample() {
  snapshot value;
  value.domain = "account";
  value.identifier = "42/../x";
  value.sequence = 17;
  value.state_json = R"({"balance":10})";
  value.created = evstore::timestamp{std::chrono::milliseconds{1'700'000'000'123}};
  return value;
}

void expect_code(const std::function<void()>& f, evstore::store_errc code) {
  try {
    f();
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == code);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_snapshot_item)

BOOST_AUTO_TEST_CASE(an_item_round_trips_and_has_no_index_attributes) {
  const ddb::item item = evstore::to_snapshot_item(sample());
  BOOST_TEST(item.at("id").as_string() == "EventID#SNAPSHOT::account::42/../x");
  BOOST_TEST(item.at("created").as_string() == "SNAPSHOT");
  BOOST_TEST(!item.contains("timeBucket"));
  BOOST_TEST(!item.contains("stream"));
  const evstore::decoded_snapshot back = evstore::snapshot_from_item(item);
  BOOST_TEST(!back.offloaded.has_value());
  BOOST_TEST(back.value.domain == "account");
  BOOST_TEST(back.value.identifier == "42/../x");
  BOOST_TEST(back.value.sequence == 17u);
  BOOST_TEST(back.value.state_json == R"({"balance":10})");
  BOOST_CHECK(back.value.created == sample().created);
}

BOOST_AUTO_TEST_CASE(an_offloaded_item_names_its_object) {
  const evstore::s3_location where{"bucket", "events/snapshots/account/_42/17-u.json"};
  const ddb::item item = evstore::to_snapshot_item(sample(), where);
  BOOST_TEST(!item.contains("state"));
  const evstore::decoded_snapshot back = evstore::snapshot_from_item(item);
  BOOST_TEST_REQUIRE(back.offloaded.has_value());
  BOOST_CHECK(*back.offloaded == where);
  BOOST_TEST(back.value.state_json == "null");
}

BOOST_AUTO_TEST_CASE(object_keys_encode_names_so_no_stream_reaches_another) {
  const std::string key = evstore::snapshot_object_key("events/", sample(), "u1");
  BOOST_TEST(key == "events/snapshots/account/_42%2F..%2Fx/17-u1.json");
  snapshot empty = sample();
  empty.identifier = "";
  BOOST_TEST(evstore::snapshot_object_key("", empty, "u") == "snapshots/account/_/17-u.json");
}

BOOST_AUTO_TEST_CASE(a_streams_objects_share_a_prefix_that_gives_back_their_sequence) {
  const std::string uuid = "0f1e2d3c-4b5a-4697-8877-665544332211";
  const std::string prefix = evstore::snapshot_objects_prefix("events/", "account", "42/../x");
  BOOST_TEST(prefix == "events/snapshots/account/_42%2F..%2Fx/");
  const std::string key = evstore::snapshot_object_key("events/", sample(), uuid);
  BOOST_TEST(key.starts_with(prefix));
  BOOST_CHECK(evstore::snapshot_object_sequence(prefix, key) == std::optional<std::uint64_t>(17));
  // Keys of another shape under the prefix, such as an offloaded event payload whose id
  // happens to start like it, give none.
  for (const std::string& other :
       {prefix + "17-" + uuid + ".0123456789abcdef.json", prefix + "17-u.json",
        prefix + "-" + uuid + ".json", prefix + "x17-" + uuid + ".json",
        prefix + "17" + uuid + ".json", "other/" + key})
    BOOST_CHECK_MESSAGE(!evstore::snapshot_object_sequence(prefix, other), other);
}

BOOST_AUTO_TEST_CASE(bad_snapshots_and_items_are_refused) {
  using evstore::store_errc;
  snapshot bad = sample();
  bad.state_json = "{";
  expect_code([&] { evstore::validate_snapshot(bad); }, store_errc::invalid_event);
  bad = sample();
  bad.domain = "a::b";
  expect_code([&] { evstore::validate_snapshot(bad); }, store_errc::invalid_event);
  bad = sample();
  bad.identifier = std::string(3000, 'i');
  expect_code([&] { evstore::validate_snapshot(bad); }, store_errc::invalid_event);
  evstore::validate_snapshot(sample());
  // get_snapshot reads an offloaded state of at most 256 MiB: a larger one is refused.
  bad = sample();
  bad.state_json.assign(evstore::max_offloaded_object_bytes + 1, 's');
  bad.state_json.front() = bad.state_json.back() = '"';
  expect_code([&] { evstore::validate_snapshot(bad); }, store_errc::invalid_event);
  bad.state_json.erase(1, 1);
  BOOST_TEST(bad.state_json.size() == evstore::max_offloaded_object_bytes);
  evstore::validate_snapshot(bad);

  ddb::item item = evstore::to_snapshot_item(sample());
  item.erase("sequence");
  expect_code([&] { evstore::snapshot_from_item(item); }, store_errc::corrupt_item);
  item = evstore::to_snapshot_item(sample());
  item.emplace("s3Reference", ddb::attribute_value::string("b::k"));
  expect_code([&] { evstore::snapshot_from_item(item); }, store_errc::corrupt_item);
  item = evstore::to_snapshot_item(sample(), evstore::s3_location{"b", "k"});
  item.at("s3Reference") = ddb::attribute_value::string("no-separator");
  expect_code([&] { evstore::snapshot_from_item(item); }, store_errc::corrupt_item);
  item = evstore::to_snapshot_item(sample());
  item.at("savedAt") = ddb::attribute_value::string("yesterday");
  expect_code([&] { evstore::snapshot_from_item(item); }, store_errc::corrupt_item);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
