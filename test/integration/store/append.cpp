#include <boost/test/unit_test.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/json/value.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(append)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

std::vector<event> numbered(std::size_t count, const std::string& stream) {
  std::vector<event> events;
  for (std::size_t i = 0; i < count; ++i)
    events.push_back(make_event("account", stream, "step", "{\"n\":" + std::to_string(i) + "}"));
  return events;
}

/// Appends a new stream of `count` events in one call and checks it is whole and in order.
void append_new_stream(store_fixture& f, std::size_t count) {
  const std::string stream = "s" + std::to_string(count);
  const std::vector<event> stored = f.run(f.store.append(numbered(count, stream)));
  BOOST_TEST_REQUIRE(stored.size() == count);
  for (std::size_t i = 0; i < count; ++i) BOOST_TEST(stored[i].sequence == i + 1);
  BOOST_TEST(f.run(f.store.stream_sequence("account", stream)) == count);

  std::vector<event> replayed;
  for (event& e : f.replay_all({.page_size = 100}))
    if (e.identifier == stream) replayed.push_back(std::move(e));
  BOOST_TEST_REQUIRE(replayed.size() == count);
  for (std::size_t i = 0; i < count; ++i) {
    BOOST_TEST(replayed[i].sequence == i + 1);
    BOOST_TEST(replayed[i].payload().at("n").as_int64() == static_cast<std::int64_t>(i));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append)

BOOST_AUTO_TEST_CASE(a_new_stream_of_30_events_in_one_call) {
  store_fixture f("append30");
  f.run(f.store.init());
  append_new_stream(f, 30);
}

BOOST_AUTO_TEST_CASE(a_new_stream_of_250_events_in_one_call) {
  store_fixture f("append250");
  f.run(f.store.init());
  append_new_stream(f, 250);
}

BOOST_AUTO_TEST_CASE(fills_ids_and_times_and_writes_the_shared_layout) {
  store_fixture f("layout");
  f.run(f.store.init());
  event e = make_event("user", "u1", "created", R"({"name":"Ann"})");
  e.meta_json = R"({"by":"admin","n":3})";
  e.causation_id = "cause-1";
  const event stored = f.run(f.store.append({e})).front();
  BOOST_TEST(stored.id.size() == 36u);
  BOOST_TEST_REQUIRE(stored.created.has_value());
  const auto items =
      f.run(f.ddb.query(
                {.table_name = f.store.table_name(),
                 .key_condition_expression = "id = :id",
                 .values = {{":id", dynamodb::attribute_value::string("EventID#" + stored.id)}},
                 .consistent_read = true}))
          .items;
  BOOST_TEST_REQUIRE(items.size() == 1u);
  const dynamodb::item& item = items.front();
  BOOST_TEST(item.at("created").as_string() == format_iso8601(*stored.created));
  BOOST_TEST(item.at("timeBucket").as_string() == item.at("created").as_string().substr(0, 7));
  BOOST_TEST(item.at("payload").as_string() == R"({"name":"Ann"})");
  BOOST_TEST(item.at("meta").as_map().at("n").as_number_text() == "3");
  BOOST_TEST(item.at("sequence").as_number_text() == "1");
  const auto head =
      f.run(f.ddb.get_item(
                {.table_name = f.store.table_name(),
                 .key = {{"id", dynamodb::attribute_value::string("EventID#HEAD::user::u1")},
                         {"created", dynamodb::attribute_value::string("HEAD")}},
                 .consistent_read = true}))
          .item;
  BOOST_TEST_REQUIRE(head.has_value());
  BOOST_TEST(head->at("version").as_number_text() == "1");
  BOOST_TEST(!head->contains("timeBucket"));
}

BOOST_AUTO_TEST_CASE(stale_expected_sequence_is_a_concurrency_error_with_the_actual_version) {
  store_fixture f("stale");
  f.run(f.store.init());
  f.run(f.store.append(numbered(3, "x")));
  f.run(f.store.append(numbered(2, "x"), {.expected_sequence = 3}));
  try {
    f.run(f.store.append(numbered(1, "x"), {.expected_sequence = 3}));
    BOOST_FAIL("expected a concurrency error");
  } catch (const concurrency_error& error) {
    BOOST_CHECK(error.code() == store_errc::concurrency_conflict);
    BOOST_TEST(error.domain() == "account");
    BOOST_TEST(error.identifier() == "x");
    BOOST_TEST(error.expected_version() == 3u);
    BOOST_TEST(error.actual_version() == 5u);
  }
  // Expecting 0 (a new stream) of an existing stream conflicts too; nothing was written.
  BOOST_CHECK_THROW(f.run(f.store.append(numbered(1, "x"), {.expected_sequence = 0})),
                    concurrency_error);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "x")) == 5u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_id_is_a_duplicate_event_error_and_writes_nothing) {
  store_fixture f("dup");
  f.run(f.store.init());
  // The same event stored again (as a retried append does): the table key is id + created.
  std::vector<event> first = numbered(1, "a");
  first[0].id = "fixed-id";
  first[0].created = test::utc("2024-05-01T12:00:00.000Z");
  f.run(f.store.append(first));
  std::vector<event> again = numbered(3, "b");
  again[1].id = "fixed-id";
  again[1].created = first[0].created;
  try {
    f.run(f.store.append(again));
    BOOST_FAIL("expected a duplicate event error");
  } catch (const duplicate_event_error& error) {
    BOOST_CHECK(error.code() == store_errc::duplicate_event);
    BOOST_TEST(error.event_id() == "fixed-id");
  }
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 0u);
}

BOOST_AUTO_TEST_CASE(invalid_events_write_nothing) {
  store_fixture f("invalid");
  f.run(f.store.init());
  std::vector<event> events = numbered(3, "v");
  events[2].payload_json = "{not json";
  try {
    f.run(f.store.append(events));
    BOOST_FAIL("expected an invalid event error");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == store_errc::invalid_event);
    BOOST_TEST(std::string(error.what()).find("event 3") != std::string::npos);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("account", "v")) == 0u);
}

BOOST_AUTO_TEST_CASE(streams_of_one_append_get_their_own_sequences) {
  store_fixture f("multi");
  f.run(f.store.init());
  std::vector<event> events = numbered(2, "p");
  const auto others = numbered(3, "q");
  events.insert(events.begin() + 1, others.begin(), others.end());
  const auto stored = f.run(f.store.append(events));
  BOOST_TEST(stored[0].sequence == 1u);  // p
  BOOST_TEST(stored[1].sequence == 1u);  // q
  BOOST_TEST(stored[3].sequence == 3u);  // q
  BOOST_TEST(stored[4].sequence == 2u);  // p
  BOOST_TEST(f.run(f.store.stream_sequence("account", "q")) == 3u);
}

BOOST_AUTO_TEST_CASE(concurrent_appends_without_expected_sequence_both_land_without_gaps) {
  store_fixture f("race");
  f.run(f.store.init());
  using namespace boost::asio::experimental::awaitable_operators;
  const auto [first, second] =
      f.run(f.store.append(numbered(10, "r")) && f.store.append(numbered(10, "r")));
  BOOST_TEST(f.run(f.store.stream_sequence("account", "r")) == 20u);
  std::vector<std::uint64_t> sequences;
  for (const auto& e : first) sequences.push_back(e.sequence);
  for (const auto& e : second) sequences.push_back(e.sequence);
  std::sort(sequences.begin(), sequences.end());
  for (std::size_t i = 0; i < sequences.size(); ++i) BOOST_TEST(sequences[i] == i + 1);
}

BOOST_AUTO_TEST_CASE(a_repo_appends_after_its_own_write_without_reading_the_head_first) {
  store_fixture f("heads");
  f.run(f.store.init());
  f.run(f.store.append(numbered(2, "h")));
  const std::uint64_t before = f.store.metrics().dynamodb.requests;
  const std::vector<event> next = f.run(f.store.append(numbered(1, "h")));
  BOOST_TEST(next.front().sequence == 3u);
  BOOST_TEST(f.store.metrics().dynamodb.requests - before == 1u);  // the transaction alone

  // Another writer moves the head past the version this repo remembers: the append still lands
  // right after it (one cancelled transaction, then the head is read), and nothing is lost.
  repo other(f.io.get_executor(), test::local_config(), f.options);
  BOOST_TEST(f.run(other.append(numbered(2, "h"))).back().sequence == 5u);
  const std::vector<event> after_other = f.run(f.store.append(numbered(2, "h")));
  BOOST_TEST(after_other.front().sequence == 6u);
  BOOST_TEST(after_other.back().sequence == 7u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "h")) == 7u);
  const stream_read_options read;
  BOOST_TEST(f.run(f.store.stream_events("account", "h", read)).size() == 7u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
