// Streams of one append written concurrently, each in order, and what a failed one reports.

#include <boost/test/unit_test.hpp>

#include <boost/json/value.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(append_streams)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

BOOST_AUTO_TEST_SUITE(store_append_streams)

BOOST_AUTO_TEST_CASE(twenty_streams_of_one_append_are_all_written_in_order) {
  repo_options tweaks;
  tweaks.max_concurrent_streams = 8;
  store_fixture f("streams20", tweaks);
  f.run(f.store.init());
  constexpr std::size_t streams = 20;
  constexpr std::size_t per_stream = 6;
  std::vector<event> events;
  // Interleaved: event k of every stream, then event k + 1 of every stream.
  for (std::size_t k = 0; k < per_stream; ++k)
    for (std::size_t s = 0; s < streams; ++s)
      events.push_back(make_event("cart", "c" + std::to_string(s), "added",
                                  "{\"k\":" + std::to_string(k) + "}"));
  const std::vector<event> stored = f.run(f.store.append(events));
  for (std::size_t i = 0; i < stored.size(); ++i) BOOST_TEST(stored[i].sequence == i / streams + 1);
  stream_read_options read;
  for (std::size_t s = 0; s < streams; ++s) {
    const std::string id = "c" + std::to_string(s);
    BOOST_TEST(f.run(f.store.stream_sequence("cart", id)) == per_stream);
    const std::vector<event> read_back = f.run(f.store.stream_events("cart", id, read));
    BOOST_TEST_REQUIRE(read_back.size() == per_stream);
    for (std::size_t k = 0; k < per_stream; ++k) {
      BOOST_TEST(read_back[k].sequence == k + 1);
      BOOST_TEST(read_back[k].payload().at("k").as_int64() == static_cast<std::int64_t>(k));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_failed_stream_stops_the_append_and_the_log_names_the_written_streams) {
  repo_options tweaks;
  tweaks.max_concurrent_streams = 1;  // one at a time: which streams are written is certain
  store_fixture f("streamfail", tweaks);
  f.run(f.store.init());
  f.run(f.store.append({make_event("cart", "b", "added")}));
  std::vector<event> events{make_event("cart", "a", "added"), make_event("cart", "b", "added"),
                            make_event("cart", "c", "added")};
  append_options options;
  options.expected_sequence = 0;
  try {
    f.run(f.store.append(events, options));
    BOOST_FAIL("expected a concurrency error");
  } catch (const concurrency_error& error) {
    BOOST_TEST(error.identifier() == "b");
    BOOST_TEST(error.actual_version() == 1u);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("cart", "a")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("cart", "b")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("cart", "c")) == 0u);
  bool reported = false;
  for (const std::string& line : f.log_lines(log_level::error))
    reported =
        reported || (line.find("streams written completely: cart::a;") != std::string::npos &&
                     line.find("cart::b, cart::c") != std::string::npos);
  BOOST_TEST(reported);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
