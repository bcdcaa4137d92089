// repo::stream_events through the stream index: read-your-writes, after_sequence, offloaded
// payloads, the index_lag error for events the index cannot see, and tables whose index an
// older evstore made projecting ALL attributes (init keeps it; reads need no hydration).

#include <boost/test/unit_test.hpp>

#include <boost/json/value.hpp>

#include "adapter_table.hpp"
#include "evstore/store/errors.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(stream_events)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

std::vector<event> numbered(std::size_t first, std::size_t count, const std::string& stream) {
  std::vector<event> events;
  for (std::size_t i = first; i < first + count; ++i)
    events.push_back(make_event("account", stream, "step", "{\"n\":" + std::to_string(i) + "}"));
  return events;
}

/// The stream index of the table, as DescribeTable shows it.
dynamodb::global_secondary_index_description stream_index_of(store_fixture& f) {
  const dynamodb::table_description table =
      f.run(f.ddb.describe_table({.table_name = f.store.table_name()})).table;
  for (const auto& index : table.global_secondary_indexes)
    if (index.index_name == "streamIndex") return index;
  BOOST_FAIL("the table has no streamIndex");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_stream_events)

BOOST_AUTO_TEST_CASE(init_gives_a_new_table_a_keys_only_stream_index) {
  store_fixture f("streamkeys");
  f.run(f.store.init());
  BOOST_CHECK(stream_index_of(f).projection.type == dynamodb::projection_type::keys_only);
}

BOOST_AUTO_TEST_CASE(a_stream_index_projecting_all_is_kept_and_read_without_hydration) {
  store_fixture f("streamall");
  // The table as evstore created it until its stream index projected keys only.
  test::create_adapter_table(f);
  dynamodb::update_table_request update;
  update.table_name = f.store.table_name();
  update.attribute_definitions = {{"stream", dynamodb::scalar_type::s},
                                  {"sequence", dynamodb::scalar_type::n}};
  update.create_global_secondary_indexes = {
      {"streamIndex",
       {{"stream", dynamodb::key_type::hash}, {"sequence", dynamodb::key_type::range}},
       {dynamodb::projection_type::all, {}},
       dynamodb::provisioned_throughput{10, 10}}};
  f.run(f.ddb.update_table(update));
  f.run(f.ddb.wait_until_active(f.store.table_name()));
  f.run(f.store.init());
  BOOST_CHECK(stream_index_of(f).projection.type == dynamodb::projection_type::all);

  const std::string big = "\"" + std::string(400'000, 'y') + "\"";
  std::vector<event> events = numbered(0, 3, "old");
  events.push_back(make_event("account", "old", "large", big));
  events = f.run(f.store.append(events));
  const std::uint64_t requests_before = f.store.metrics().dynamodb.requests;
  stream_read_options read;
  const std::vector<event> read_back = f.run(f.store.stream_events("account", "old", read));
  // GetItem of the head and one Query: the index holds the events.
  BOOST_TEST(f.store.metrics().dynamodb.requests - requests_before == 2u);
  BOOST_TEST_REQUIRE(read_back.size() == 4u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(read_back[i].sequence == i + 1);
    BOOST_TEST(read_back[i].id == events[i].id);
    BOOST_TEST(read_back[i].payload().at("n").as_int64() == static_cast<std::int64_t>(i));
  }
  BOOST_TEST(read_back[3].payload_json == big);
}

BOOST_AUTO_TEST_CASE(a_keys_only_index_is_hydrated_from_the_table) {
  store_fixture f("streamhydrate");
  f.run(f.store.init());
  std::vector<event> events = numbered(0, 150, "many");  // two BatchGetItem calls
  events = f.run(f.store.append(events));
  const std::uint64_t requests_before = f.store.metrics().dynamodb.requests;
  stream_read_options read;
  const std::vector<event> read_back = f.run(f.store.stream_events("account", "many", read));
  // GetItem of the head, one Query, two BatchGetItem calls (100 keys each at most).
  BOOST_TEST(f.store.metrics().dynamodb.requests - requests_before == 4u);
  BOOST_TEST_REQUIRE(read_back.size() == 150u);
  for (std::size_t i = 0; i < read_back.size(); ++i) {
    BOOST_TEST(read_back[i].sequence == i + 1);
    BOOST_TEST(read_back[i].id == events[i].id);
    BOOST_TEST(read_back[i].type == "step");
    BOOST_CHECK(read_back[i].created == events[i].created);
    BOOST_TEST(read_back[i].payload().at("n").as_int64() == static_cast<std::int64_t>(i));
  }
}

BOOST_AUTO_TEST_CASE(a_read_right_after_each_append_sees_it) {
  store_fixture f("streamryw");
  f.run(f.store.init());
  stream_read_options read;
  for (std::size_t round = 0; round < 15; ++round) {
    f.run(f.store.append(numbered(round * 2, 2, "s")));
    const std::vector<event> events = f.run(f.store.stream_events("account", "s", read));
    BOOST_TEST_REQUIRE(events.size() == round * 2 + 2);
    for (std::size_t i = 0; i < events.size(); ++i) {
      BOOST_TEST(events[i].sequence == i + 1);
      BOOST_TEST(events[i].payload().at("n").as_int64() == static_cast<std::int64_t>(i));
    }
  }
  // Another stream's events are not mixed in; an unknown stream is empty.
  f.run(f.store.append(numbered(0, 3, "other")));
  BOOST_TEST(f.run(f.store.stream_events("account", "s", read)).size() == 30u);
  BOOST_TEST(f.run(f.store.stream_events("account", "none", read)).empty());
}

BOOST_AUTO_TEST_CASE(after_sequence_returns_only_later_events) {
  store_fixture f("streamafter");
  f.run(f.store.init());
  f.run(f.store.append(numbered(0, 120, "long")));  // more than one transaction
  stream_read_options read;
  read.after_sequence = 117;
  const std::vector<event> tail = f.run(f.store.stream_events("account", "long", read));
  BOOST_TEST_REQUIRE(tail.size() == 3u);
  BOOST_TEST(tail[0].sequence == 118u);
  BOOST_TEST(tail[2].sequence == 120u);
  read.after_sequence = 120;
  BOOST_TEST(f.run(f.store.stream_events("account", "long", read)).empty());
  read.after_sequence = 500;
  BOOST_TEST(f.run(f.store.stream_events("account", "long", read)).empty());
}

BOOST_AUTO_TEST_CASE(offloaded_payloads_come_back_whole) {
  store_fixture f("streams3");
  f.run(f.store.init());
  const std::string big = "\"" + std::string(400'000, 'x') + "\"";
  std::vector<event> events = numbered(0, 1, "big");
  events.push_back(make_event("account", "big", "large", big));
  f.run(f.store.append(events));
  stream_read_options read;
  const std::vector<event> read_back = f.run(f.store.stream_events("account", "big", read));
  BOOST_TEST_REQUIRE(read_back.size() == 2u);
  BOOST_TEST(read_back[1].payload_json == big);
}

BOOST_AUTO_TEST_CASE(an_event_the_index_cannot_see_is_an_index_lag_error) {
  store_fixture f("streamlag");
  f.run(f.store.init());
  f.run(f.store.append(numbered(0, 2, "lag")));
  // A third event as the TypeScript adapter writes it: no `stream` attribute.
  event hidden = make_event("account", "lag", "step");
  hidden.id = "hidden-3";
  hidden.created = now_ms();
  hidden.sequence = 3;
  dynamodb::put_item_request put;
  put.table_name = f.store.table_name();
  put.item = to_item(hidden);
  put.item.erase(std::string(stream_attribute));
  f.run(f.ddb.put_item(put));
  dynamodb::update_item_request head;
  head.table_name = f.store.table_name();
  head.key = head_item_key("account", "lag");
  head.update_expression = "SET version = :v";
  head.values = {{":v", dynamodb::attribute_value::number(std::uint64_t{3})}};
  f.run(f.ddb.update_item(head));

  stream_read_options read;
  read.max_index_wait = std::chrono::milliseconds{50};
  const auto started = std::chrono::steady_clock::now();
  try {
    f.run(f.store.stream_events("account", "lag", read));
    BOOST_FAIL("expected an index lag error");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == store_errc::index_lag);
    BOOST_TEST(std::string(error.what()).find("migrate") != std::string::npos);
  }
  BOOST_CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  // The two indexed events are still readable below the hidden one.
  read.after_sequence = 0;
  f.run(f.store.migrate({}));
  BOOST_TEST(f.run(f.store.stream_events("account", "lag", read)).size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
