// Which events a replay reads and where it starts: the metadata item's month range (and how
// appends keep it), --from/--to bounds, the resume cursor, ties within one millisecond, and
// tables without the metadata item.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>

#include "evstore/store/errors.hpp"
#include "replay_events.hpp"
#include "store/item_codec.hpp"
#include "store/metadata_item.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(replay_cursor)

using namespace evstore;
using namespace evstore::test;
namespace chr = std::chrono;
namespace ddb = evstore::dynamodb;

namespace {

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
  return in_time_order(std::move(events));
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

BOOST_AUTO_TEST_CASE(events_of_one_millisecond_replay_in_stream_order_across_pages) {
  store_fixture f("ties", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const timestamp same = in_month(ym(2024, 6), chr::milliseconds{123});
  std::vector<event> events{event_at("before", same - chr::milliseconds{1}),
                            event_at("after", same + chr::milliseconds{1})};
  // Ids in the reverse of each stream's order: id order would replay every stream backwards.
  for (int i = 0; i < 50; ++i)
    events.push_back(event_at("tie-" + std::to_string(200 - i), same, "t" + std::to_string(i % 5)));
  events = f.run(f.store.append(events));
  const std::vector<std::string> expected = replay_order(events);

  for (const std::size_t page_size : {1u, 7u, 100u}) {
    for (const std::size_t prefetch : {0u, 1u, 4u}) {
      BOOST_TEST_CONTEXT("page size " << page_size << ", prefetch " << prefetch) {
        const std::vector<event> replayed =
            f.replay_all({.page_size = page_size, .prefetch_pages = prefetch});
        BOOST_TEST(ids_of(replayed) == expected, boost::test_tools::per_element());
        std::map<std::string, std::uint64_t> last_sequence;
        for (const event& e : replayed) {
          std::uint64_t& last = last_sequence[*e.identifier];
          BOOST_TEST(e.sequence > last, e.id << " after sequence " << last);
          last = e.sequence;
        }
      }
    }
  }
  // Resuming anywhere inside the group: `created >= c` on the index, then past the cursor's
  // place in (stream, sequence) order.
  for (const std::size_t at : {1u, 2u, 20u, 37u, 51u}) {
    BOOST_TEST_CONTEXT("after " << expected[at]) {
      const auto resumed = ids_of(f.replay_all({.page_size = 7, .after_id = expected[at]}));
      BOOST_TEST(
          resumed == std::vector<std::string>(
                         expected.begin() + static_cast<std::ptrdiff_t>(at) + 1, expected.end()),
          boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(one_id_in_two_items_replays_as_two_whole_events) {
  // Another writer (the TypeScript adapter reusing an id, or a race) can store one id under two
  // `created`: each index entry must get its own item, never the other's fields.
  store_fixture f("twin", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> first{event_at("twin", in_month(ym(2024, 3)), "a", R"({"n":1})")};
  f.run(f.store.append(first));
  event second = event_at("twin", in_month(ym(2024, 3), chr::milliseconds{5}), "b", R"({"n":2})");
  second.sequence = 1;
  const ddb::put_item_request put{.table_name = f.store.table_name(), .item = to_item(second)};
  f.run(f.ddb.put_item(put));

  const std::vector<event> replayed = f.replay_all({.page_size = 10});
  BOOST_TEST_REQUIRE(replayed.size() == 2u);
  BOOST_TEST(replayed[0].id == "twin");
  BOOST_TEST(replayed[0].payload_json == R"({"n":1})");
  BOOST_TEST(*replayed[0].identifier == "a");
  BOOST_TEST(replayed[1].id == "twin");
  BOOST_TEST(replayed[1].payload_json == R"({"n":2})");
  BOOST_TEST(*replayed[1].identifier == "b");
}

BOOST_AUTO_TEST_CASE(created_texts_of_other_writers_at_slice_boundaries_are_replayed) {
  // Items another writer stored without milliseconds or with microseconds, at and around the
  // boundaries of a month's slices.
  store_fixture f("precision", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<std::string> texts{
      "2024-02-08T05:59:59Z",        "2024-02-08T05:59:59.999999Z", "2024-02-08T06:00:00Z",
      "2024-02-08T06:00:00.000Z",    "2024-02-15T11:59:59Z",        "2024-02-01T00:00:00Z",
      "2024-02-29T23:59:59.999999Z", "2024-02-22T18:00:00.000001Z"};
  std::vector<event> anchor{event_at("anchor", in_month(ym(2024, 2)), "anchor")};
  f.run(f.store.append(anchor));  // records the month
  for (std::size_t i = 0; i < texts.size(); ++i) {
    event e = event_at("p" + std::to_string(i), in_month(ym(2024, 2)), "p" + std::to_string(i));
    e.sequence = 1;
    ddb::item item = to_item(e);
    item["created"] = ddb::attribute_value::string(texts[i]);
    const ddb::put_item_request put{.table_name = f.store.table_name(), .item = std::move(item)};
    f.run(f.ddb.put_item(put));
  }
  for (const std::size_t slices : {1u, 4u, 8u}) {
    BOOST_TEST_CONTEXT(slices << " slices") {
      const std::vector<event> replayed = f.replay_all({.page_size = 3, .month_slices = slices});
      BOOST_TEST(replayed.size() == texts.size() + 1);
    }
  }
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
    ++n;  // one stream each: appended out of time order
    const std::vector<event> one{
        event_at("e" + std::to_string(n), in_month(month), "s" + std::to_string(n))};
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

BOOST_AUTO_TEST_SUITE_END()
