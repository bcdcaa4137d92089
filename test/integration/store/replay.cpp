#include <boost/test/unit_test.hpp>

#include <algorithm>

#include <boost/json/value.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(replay)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;
using evstore::test::utc;
namespace chr = std::chrono;

namespace {

/// 23 events over five months (none in 2024-02), written in an order other than time order,
/// each in its own stream (a stream's times may not go back).
std::vector<event> events_over_months() {
  const std::vector<std::string> months{"2023-11", "2023-12", "2024-01", "2024-03", "2024-04"};
  std::vector<event> events;
  for (int i = 0; i < 23; ++i) {
    const std::string& month = months[static_cast<std::size_t>(i * 7 % 23) % months.size()];
    event e =
        make_event("ledger", "l" + std::to_string(i), "entry", "{\"i\":" + std::to_string(i) + "}");
    e.id = "ev-" + std::to_string(i);
    char day[32];
    std::snprintf(day, sizeof day, "-%02dT%02d:00:00.%03dZ", 1 + i % 27, i % 24, i);
    e.created = utc(month + day);
    events.push_back(std::move(e));
  }
  return events;
}

std::vector<std::string> ids_in_time_order(std::vector<event> events) {
  std::sort(events.begin(), events.end(),
            [](const event& a, const event& b) { return *a.created < *b.created; });
  std::vector<std::string> ids;
  for (const event& e : events) ids.push_back(e.id);
  return ids;
}

std::vector<std::string> ids_of(const std::vector<event>& events) {
  std::vector<std::string> ids;
  for (const event& e : events) ids.push_back(e.id);
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_replay)

BOOST_AUTO_TEST_CASE(replays_across_months_in_time_order_with_any_page_size) {
  store_fixture f("replay", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> events = events_over_months();
  f.run(f.store.append(events));
  const std::vector<std::string> expected = ids_in_time_order(events);

  for (const std::size_t page_size : {1u, 7u, 100u}) {
    BOOST_TEST_CONTEXT("page size " << page_size) {
      // The first month comes from the metadata item: nothing is hard-coded to start in 2020.
      const std::vector<event> replayed = f.replay_all({.page_size = page_size});
      BOOST_TEST(ids_of(replayed) == expected, boost::test_tools::per_element());
    }
  }
  const std::vector<event> replayed = f.replay_all({.page_size = 5});
  for (const event& e : replayed) {
    BOOST_TEST(e.payload().at("i").as_int64() == std::stoll(e.id.substr(3)));
    BOOST_TEST(e.sequence > 0u);
  }
}

BOOST_AUTO_TEST_CASE(month_range_bounds_the_replay) {
  store_fixture f("range", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> events = events_over_months();
  event old_event = make_event("ledger", "old", "entry");
  old_event.id = "old";
  old_event.created = utc("1999-06-15T00:00:00.000Z");
  event future_event = make_event("ledger", "future", "entry");
  future_event.id = "future";
  future_event.created = utc("2031-01-01T00:00:00.000Z");
  events.push_back(old_event);
  events.push_back(future_event);
  f.run(f.store.append(events));

  // The appends recorded 1999-06..2031-01 in the metadata item: replay reads exactly that.
  const auto by_default = ids_of(f.replay_all({.page_size = 10}));
  BOOST_TEST_REQUIRE(by_default.size() == 25u);
  BOOST_TEST(by_default.front() == "old");
  BOOST_TEST(by_default.back() == "future");

  const auto up_to_2030 =
      ids_of(f.replay_all({.page_size = 10, .last_month = chr::year{2030} / chr::December}));
  BOOST_TEST(std::count(up_to_2030.begin(), up_to_2030.end(), "future") == 0);
  BOOST_TEST(up_to_2030.size() == 24u);

  const auto december = ids_of(f.replay_all({.page_size = 3,
                                             .first_month = chr::year{2023} / chr::December,
                                             .last_month = chr::year{2023} / chr::December}));
  std::vector<std::string> expected;
  for (const event& e : events)
    if (time_bucket(*e.created) == "2023-12") expected.push_back(e.id);
  BOOST_TEST(december.size() == expected.size());
  BOOST_TEST(!december.empty());
}

BOOST_AUTO_TEST_CASE(an_empty_store_replays_nothing) {
  store_fixture f("empty", {.skip_bucket_creation = true});
  f.run(f.store.init());
  BOOST_TEST(f.replay_all({.page_size = 10}).empty());
}

BOOST_AUTO_TEST_CASE(find_by_causation_id_returns_hydrated_events_in_created_order) {
  store_fixture f("causation", {.offload_threshold_bytes = 5000});
  f.run(f.store.init());
  std::vector<event> events;
  for (const char* created :
       {"2024-03-02T00:00:00.000Z", "2023-12-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"}) {
    // One stream each: a stream's times may not go back.
    event e = make_event("order", "o" + std::to_string(events.size() + 1), "shipped",
                         R"({"created":")" + std::string(created) + "\"}");
    e.causation_id = "cmd-7";
    e.created = utc(created);
    events.push_back(std::move(e));
  }
  events[2].payload_json = "\"" + std::string(6000, 'p') + "\"";  // offloaded
  event unrelated = make_event("order", "o1", "billed");
  unrelated.causation_id = "cmd-8";
  events.push_back(unrelated);
  const std::vector<event> stored = f.run(f.store.append(events));

  const std::vector<event> found = f.run(f.store.find_by_causation_id("cmd-7"));
  BOOST_TEST_REQUIRE(found.size() == 3u);
  BOOST_TEST(found[0].id == stored[1].id);
  BOOST_TEST(found[1].id == stored[2].id);
  BOOST_TEST(found[2].id == stored[0].id);
  BOOST_TEST(found[1].payload_json == events[2].payload_json);
  BOOST_TEST(found[0].type == "shipped");
  BOOST_TEST(found[0].sequence == 1u);
  BOOST_TEST(f.run(f.store.find_by_causation_id("nothing")).empty());
}

BOOST_AUTO_TEST_CASE(get_event_by_id_uses_the_full_key) {
  store_fixture f("byid", {.skip_bucket_creation = true});
  f.run(f.store.init());
  event e = make_event("user", "u9", "renamed", R"({"to":"Bo"})");
  e.id = "evt-9";
  e.created = utc("2022-02-02T02:02:02.222Z");
  f.run(f.store.append({e}));
  const auto found = f.run(f.store.get_event_by_id("evt-9"));
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(format_iso8601(*found->created) == "2022-02-02T02:02:02.222Z");
  BOOST_TEST(found->payload_json == e.payload_json);
  BOOST_TEST(!f.run(f.store.get_event_by_id("evt-10")).has_value());
  BOOST_TEST(!f.run(f.store.get_event_by_id("")).has_value());
  BOOST_TEST(!f.run(f.store.get_event_by_id("HEAD::user::u9")).has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
