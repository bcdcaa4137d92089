// Order at write time: events without a time share one millisecond (no drift ahead of the
// clock), a stream's times never decrease in sequence order, the head's lastCreated bounds the
// next times (also when another writer's clock is ahead), and a caller-given time earlier than
// the stream's latest event is refused before anything is written.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(append_order)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;
using evstore::test::utc;

namespace {

std::optional<dynamodb::item> head_item(store_fixture& f, const std::string& identifier) {
  dynamodb::get_item_request request;
  request.table_name = f.store.table_name();
  request.key = head_item_key("ledger", identifier);
  request.consistent_read = true;
  return f.run(f.ddb.get_item(request)).item;
}

/// Sets the head's lastCreated as another writer (with its clock ahead) would have.
void set_last_created(store_fixture& f, const std::string& identifier, const std::string& iso) {
  dynamodb::update_item_request request;
  request.table_name = f.store.table_name();
  request.key = head_item_key("ledger", identifier);
  request.update_expression = "SET lastCreated = :t";
  request.values = {{":t", dynamodb::attribute_value::string(iso)}};
  f.run(f.ddb.update_item(request));
}

std::vector<event> untimed(const std::string& identifier, std::size_t count) {
  std::vector<event> events;
  for (std::size_t i = 0; i < count; ++i)
    events.push_back(make_event("ledger", identifier, "entry", std::to_string(i)));
  return events;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_order)

BOOST_AUTO_TEST_CASE(untimed_events_share_one_time_and_never_decrease_within_a_stream) {
  store_fixture f("order-ties", {.skip_bucket_creation = true});
  f.run(f.store.init());
  constexpr std::size_t streams = 50;
  std::vector<event> batch;
  for (std::size_t i = 0; i < 5000; ++i)
    batch.push_back(
        make_event("ledger", "s" + std::to_string(i % streams), "entry", std::to_string(i)));
  const timestamp before = now_ms();
  const std::vector<event> first = f.run(f.store.append(batch), std::chrono::seconds(170));
  const auto [earliest, latest] =
      std::minmax_element(first.begin(), first.end(),
                          [](const event& a, const event& b) { return a.created < b.created; });
  // One millisecond for the whole call: no event dated ahead of the clock.
  BOOST_TEST((*latest->created - *earliest->created).count() == 0);
  BOOST_TEST((*earliest->created >= before));
  for (int call = 0; call < 10; ++call) {
    std::vector<event> more;
    for (std::size_t i = 0; i < 30; ++i)
      more.push_back(make_event("ledger", "s" + std::to_string((call * 7 + i) % streams), "entry",
                                R"("more")"));
    f.run(f.store.append(more));
  }
  std::size_t total = 0;
  for (std::size_t s = 0; s < streams; ++s) {
    const std::string identifier = "s" + std::to_string(s);
    const std::vector<event> stored = f.run(f.store.stream_events("ledger", identifier, {}));
    total += stored.size();
    BOOST_TEST_CONTEXT("stream " << identifier) {
      for (std::size_t k = 1; k < stored.size(); ++k) {
        BOOST_TEST(stored[k].sequence == stored[k - 1].sequence + 1);
        BOOST_TEST((*stored[k - 1].created <= *stored[k].created));
      }
      const std::optional<dynamodb::item> head = head_item(f, identifier);
      BOOST_TEST_REQUIRE(head.has_value());
      BOOST_CHECK(head_last_created(head) == stored.back().created);
    }
  }
  BOOST_TEST(total == 5300u);
}

BOOST_AUTO_TEST_CASE(a_later_last_created_on_the_head_dates_the_next_untimed_events) {
  store_fixture f("order-ahead", {.skip_bucket_creation = true});
  f.run(f.store.init());
  f.run(f.store.append(untimed("a", 1)));
  f.run(f.store.append(untimed("b", 1)));
  // Another writer's clock is ahead, into another month.
  const std::string ahead = "2100-03-04T05:06:07.089Z";
  set_last_created(f, "a", ahead);
  set_last_created(f, "b", ahead);

  // Without expected sequence (the head is known to this repo: its cache is stale, the
  // condition tells), and with one from another repo that never read the head.
  const std::vector<event> a = f.run(f.store.append(untimed("a", 3)));
  repo other(f.io.get_executor(), evstore::test::local_config(), f.options);
  append_options at_one;
  at_one.expected_sequence = 1;
  const std::vector<event> b = f.run(other.append(untimed("b", 2), at_one));
  for (const event& e : a) BOOST_CHECK(e.created == utc(ahead));
  for (const event& e : b) BOOST_CHECK(e.created == utc(ahead));
  BOOST_TEST(a.back().sequence == 4u);
  BOOST_TEST(b.back().sequence == 3u);
  const std::vector<event> stored = f.run(f.store.stream_events("ledger", "a", {}));
  BOOST_TEST_REQUIRE(stored.size() == 4u);
  BOOST_CHECK(stored.back().created == utc(ahead));
  // The month of the final times is recorded, so replay reads it.
  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_CHECK(months->last == std::chrono::year{2100} / std::chrono::March);
}

BOOST_AUTO_TEST_CASE(a_given_time_earlier_than_the_stream_s_latest_event_is_refused) {
  store_fixture f("order-refuse", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> first = untimed("c", 1);
  first[0].created = utc("2024-05-01T00:00:00.000Z");
  f.run(f.store.append(first));

  // Earlier than the head's lastCreated: refused, nothing written (also the other stream's).
  std::vector<event> earlier = untimed("d", 1);
  earlier.push_back(untimed("c", 1).front());
  earlier[1].created = utc("2024-04-30T23:59:59.999Z");
  try {
    f.run(f.store.append(earlier));
    BOOST_FAIL("expected invalid_event");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST((error.code() == store_errc::invalid_event), error.what());
    BOOST_TEST(std::string(error.what()).find("earlier than 2024-05-01T00:00:00.000Z") !=
               std::string::npos);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("ledger", "c")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("ledger", "d")) == 0u);

  // Earlier than the event before it in the call: refused.
  std::vector<event> backwards = untimed("c", 2);
  backwards[0].created = utc("2024-06-02T00:00:00.000Z");
  backwards[1].created = utc("2024-06-01T00:00:00.000Z");
  BOOST_CHECK_EXCEPTION(
      f.run(f.store.append(backwards)), boost::system::system_error,
      [](const boost::system::system_error& e) { return e.code() == store_errc::invalid_event; });
  // Equal times are fine; an untimed event after a given later time takes that time.
  std::vector<event> later = untimed("c", 3);
  later[0].created = utc("2024-05-01T00:00:00.000Z");
  later[1].created = utc("2999-01-01T00:00:00.000Z");
  const std::vector<event> stored = f.run(f.store.append(later));
  BOOST_CHECK(stored[2].created == utc("2999-01-01T00:00:00.000Z"));
  BOOST_TEST(f.run(f.store.stream_sequence("ledger", "c")) == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
