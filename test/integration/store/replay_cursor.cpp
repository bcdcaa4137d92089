// Which events a replay reads and where it starts: the metadata item's month range (and how
// appends keep it), --from/--to bounds, the resume cursor, ties within one millisecond, and
// tables without the metadata item.

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "evstore/store/errors.hpp"
#include "evstore/store/metadata_item.hpp"
#include "replay_events.hpp"
#include "store_fixture.hpp"

using namespace evstore;
using namespace evstore::test;
namespace chr = std::chrono;
namespace ddb = evstore::dynamodb;

namespace {

constexpr chr::year_month ym(int y, unsigned m) {
  return chr::year{y} / chr::month{m};
}

chr::year_month this_month() {
  return month_of(now_ms());
}

/// 500 events over three months, three to a millisecond, in ten streams.
std::vector<event> five_hundred_events() {
  std::vector<event> events;
  const std::vector<chr::year_month> months{ym(2023, 12), ym(2024, 1), ym(2024, 2)};
  for (int i = 0; i < 500; ++i) {
    const chr::year_month month = months[static_cast<std::size_t>(i % 3)];
    events.push_back(event_at("r-" + std::to_string(1000 + (i * 7919) % 500),
                              in_month(month, chr::milliseconds{i / 9}),
                              "s" + std::to_string(i % 10)));
  }
  return events;
}

std::size_t count_lines(const std::vector<std::string>& lines, std::string_view part) {
  return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
    return l.find(part) != std::string::npos;
  }));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_replay_cursor)

BOOST_AUTO_TEST_CASE(events_from_2015_to_next_year_are_replayed) {
  store_fixture f("span", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const chr::year_month next_year = this_month() + chr::years{1};
  const std::vector<event> events{event_at("old", in_month(ym(2015, 3))), event_at("now", now_ms()),
                                  event_at("ahead", in_month(next_year))};
  f.run(f.store.append(events));

  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(2015, 3)));
  BOOST_TEST((months->last == next_year));
  for (const std::size_t prefetch : {0u, 2u}) {
    BOOST_TEST_CONTEXT("prefetch " << prefetch) {
      const auto replayed = ids_of(f.replay_all({.page_size = 2, .prefetch_pages = prefetch}));
      BOOST_TEST(replayed == replay_order(events), boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(resuming_after_the_200th_of_500_returns_the_other_300_in_order) {
  store_fixture f("resume", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> events = five_hundred_events();
  f.run(f.store.append(events), chr::seconds(300));

  const std::vector<std::string> all = ids_of(f.replay_all({.page_size = 64}));
  BOOST_TEST_REQUIRE(all == replay_order(events), boost::test_tools::per_element());
  const std::vector<std::string> rest(all.begin() + 200, all.end());
  for (const std::size_t prefetch : {0u, 3u}) {
    BOOST_TEST_CONTEXT("prefetch " << prefetch) {
      const auto resumed =
          ids_of(f.replay_all({.page_size = 7, .after_id = all[199], .prefetch_pages = prefetch}));
      BOOST_TEST(resumed == rest, boost::test_tools::per_element());
    }
  }
  // The last event as the cursor: nothing after it.
  BOOST_TEST(f.replay_all({.page_size = 7, .after_id = all.back()}).empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_cursor_is_cursor_not_found) {
  store_fixture f("cursor", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> events{event_at("known", in_month(ym(2024, 4)), "d")};
  f.run(f.store.append(events));
  // A stream head item has the id's form but is not an event.
  for (const std::string id : {"no-such-event", "HEAD::replay::d", ""}) {
    BOOST_TEST_CONTEXT("after_id '" << id << "'") {
      try {
        f.replay_all({.after_id = id});
        BOOST_FAIL("an unknown cursor was accepted");
      } catch (const boost::system::system_error& error) {
        BOOST_TEST((error.code() == store_errc::cursor_not_found));
        BOOST_TEST(std::string(error.what()).find("'" + id + "'") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(fifty_events_of_one_millisecond_replay_in_id_order_across_pages) {
  store_fixture f("ties", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const timestamp same = in_month(ym(2024, 6), chr::milliseconds{123});
  std::vector<event> events{event_at("before", same - chr::milliseconds{1}),
                            event_at("after", same + chr::milliseconds{1})};
  for (int i = 0; i < 50; ++i)  // ids whose order is not the order they are written in
    events.push_back(
        event_at("tie-" + std::to_string((i * 37) % 50 + 100), same, "t" + std::to_string(i % 5)));
  f.run(f.store.append(events));
  const std::vector<std::string> expected = replay_order(events);

  for (const std::size_t prefetch : {0u, 1u, 4u}) {
    BOOST_TEST_CONTEXT("prefetch " << prefetch) {
      const auto replayed = ids_of(f.replay_all({.page_size = 7, .prefetch_pages = prefetch}));
      BOOST_TEST(replayed == expected, boost::test_tools::per_element());
    }
  }
  // Resuming inside the group: `created >= c` on the index, then skip up to (c, id).
  const auto resumed = ids_of(f.replay_all({.page_size = 7, .after_id = expected[20]}));
  BOOST_TEST(resumed == std::vector<std::string>(expected.begin() + 21, expected.end()),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(first_and_last_month_select_a_subset) {
  store_fixture f("fromto", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> events;
  for (unsigned m = 1; m <= 6; ++m)
    for (int i = 0; i < 3; ++i)
      events.push_back(event_at("m" + std::to_string(m) + "-" + std::to_string(i),
                                in_month(ym(2022, m), chr::hours{i})));
  f.run(f.store.append(events));
  std::vector<event> march_to_may;
  for (const event& e : events)
    if (month_of(*e.created) >= ym(2022, 3) && month_of(*e.created) <= ym(2022, 5))
      march_to_may.push_back(e);
  const auto subset =
      ids_of(f.replay_all({.page_size = 4, .first_month = ym(2022, 3), .last_month = ym(2022, 5)}));
  BOOST_TEST(subset == replay_order(march_to_may), boost::test_tools::per_element());
  const auto from_may = ids_of(f.replay_all({.page_size = 4, .first_month = ym(2022, 5)}));
  BOOST_TEST(from_may.size() == 6u);
  BOOST_TEST(from_may.front() == "m5-0");
  // A cursor before the first month: the bound wins.
  const auto bounded =
      ids_of(f.replay_all({.first_month = ym(2022, 6), .after_id = std::string("m2-1")}));
  BOOST_TEST(bounded == (std::vector<std::string>{"m6-0", "m6-1", "m6-2"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(the_range_is_written_only_when_an_append_extends_it) {
  store_fixture f("meta", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const auto writes = [&] { return count_lines(f.log_lines(log_level::debug), "recorded months"); };
  int n = 0;
  const auto append_in = [&](chr::year_month month) {
    const std::vector<event> one{event_at("e" + std::to_string(++n), in_month(month))};
    f.run(f.store.append(one));
  };
  append_in(ym(2024, 5));
  BOOST_TEST(writes() == 1u);
  append_in(ym(2024, 5));
  BOOST_TEST(writes() == 1u);  // covered: no request for the range
  append_in(ym(2024, 3));
  BOOST_TEST(writes() == 2u);
  append_in(ym(2024, 4));
  BOOST_TEST(writes() == 2u);

  // Another process (its own cache) extends the range; this one's cache is then stale.
  repo_options other_options = f.options;
  auto other_log = std::make_shared<store_fixture::log_sink>();
  other_options.log = [other_log](log_level level, std::string_view text) {
    const std::lock_guard lock(other_log->mutex);
    other_log->lines.emplace_back(level, std::string(text));
  };
  repo other(f.io.get_executor(), local_config(), other_options);
  const std::vector<event> covered{event_at("o1", in_month(ym(2024, 4)))};
  f.run(other.append(covered));
  const std::vector<event> later{event_at("o2", in_month(ym(2024, 8)))};
  f.run(other.append(later));
  std::vector<std::string> other_lines;
  for (const auto& [level, text] : other_log->lines) other_lines.push_back(text);
  BOOST_TEST(count_lines(other_lines, "recorded months") == 1u);  // only for 2024-08

  // This repo believes 2024-03..2024-05: its write for 2024-01 fails its condition (the stored
  // range reaches 2024-08) and is retried with the union.
  append_in(ym(2024, 1));
  BOOST_TEST(writes() == 3u);
  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(2024, 1)));
  BOOST_TEST((months->last == ym(2024, 8)));
  BOOST_TEST(f.replay_all({}).size() == 7u);
}

BOOST_AUTO_TEST_CASE(a_table_without_the_metadata_item_is_probed) {
  store_fixture f("probe", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> events{event_at("early", in_month(ym(2019, 2))),
                                  event_at("recent", now_ms()),
                                  event_at("soon", in_month(this_month() + chr::months{11}))};
  f.run(f.store.append(events));
  // As a table only the TypeScript adapter wrote: no metadata item.
  const ddb::delete_item_request request{.table_name = f.store.table_name(),
                                         .key = metadata_item_key()};
  f.run(f.ddb.delete_item(request));
  // Without the item the months come from the time index.
  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(2019, 2)));
  BOOST_TEST((months->last == this_month() + chr::months{11}));

  const auto replayed = ids_of(f.replay_all({.page_size = 10}));
  BOOST_TEST(replayed == replay_order(events), boost::test_tools::per_element());
  BOOST_TEST(count_lines(f.log_lines(log_level::info), "`evstore migrate` records the range") >=
             1u);
}

BOOST_AUTO_TEST_SUITE_END()
