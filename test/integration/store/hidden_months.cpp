// Nothing hidden: replay returns every event the time index holds whatever the metadata item
// says: no item on a table the TypeScript adapter wrote before one evstore append, an item lost
// and recreated narrow by an append, a corrupt item, months before 1970 and far ahead, a sharded
// table without its item. migrate then records the exact range, complete.

#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "adapter_table.hpp"
#include "evstore/store/errors.hpp"
#include "replay_events.hpp"
#include "store/metadata_item.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(hidden_months)

using namespace evstore;
using namespace evstore::test;
namespace chr = std::chrono;
namespace ddb = evstore::dynamodb;

namespace {

/// The ids, sorted: these tests are about which events come back, not their order.
std::vector<std::string> id_set(const std::vector<event>& events) {
  std::vector<std::string> ids = ids_of(events);
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> replayed_ids(store_fixture& f, replay_options options = {}) {
  return id_set(f.replay_all(options));
}

std::optional<ddb::item> stored_metadata(store_fixture& f) {
  const ddb::get_item_request get{
      .table_name = f.store.table_name(), .key = metadata_item_key(), .consistent_read = true};
  return f.run(f.ddb.get_item(get)).item;
}

void delete_metadata(store_fixture& f) {
  const ddb::delete_item_request request{.table_name = f.store.table_name(),
                                         .key = metadata_item_key()};
  f.run(f.ddb.delete_item(request));
}

/// Events of a stream with sequences 1..n at the given times, as raw items.
std::vector<event> put_stream(store_fixture& f, const std::string& stream,
                              const std::vector<timestamp>& times, bool adapter_shaped) {
  std::vector<event> events;
  for (std::size_t i = 0; i < times.size(); ++i) {
    event e = event_at(stream + "-" + std::to_string(i + 1), times[i], stream);
    e.sequence = i + 1;
    if (adapter_shaped) {
      put_adapter_event(f, e);
    } else {
      dynamodb::put_item_request put;
      put.table_name = f.store.table_name();
      put.item = to_item(e);
      f.run(f.ddb.put_item(put));
    }
    events.push_back(std::move(e));
  }
  put_adapter_head(f, "replay", stream, times.size());
  return events;
}

std::size_t count_lines(const std::vector<std::string>& lines, std::string_view part) {
  return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const auto& l) {
    return l.find(part) != std::string::npos;
  }));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_hidden_months)

BOOST_AUTO_TEST_CASE(an_adapter_table_then_one_append_before_migrate_replays_everything) {
  store_fixture f("hidadapter", {.skip_bucket_creation = true});
  create_adapter_table(f);
  // 30 events over three months in three streams, no metadata item, no `stream` attribute.
  std::vector<event> written;
  for (int s = 0; s < 3; ++s) {
    std::vector<timestamp> times;
    for (int i = 0; i < 10; ++i)
      times.push_back(
          in_month(ym(2024, 1) + chr::months{i % 3}, chr::hours{24 * s} + chr::milliseconds{i}));
    const std::vector<event> stream = put_stream(f, "a" + std::to_string(s), times, true);
    written.insert(written.end(), stream.begin(), stream.end());
  }
  // One evstore append: it creates the metadata item with only its own month.
  const std::vector<event> appended = f.run(f.store.append({make_event("replay", "new", "x")}));
  written.push_back(appended.front());

  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
  BOOST_TEST(count_lines(f.log_lines(log_level::info), "`evstore migrate` records the range") >=
             1u);
  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(2024, 1)));
  BOOST_TEST((months->last == this_month()));
}

BOOST_AUTO_TEST_CASE(a_lost_item_recreated_by_an_append_hides_nothing_and_migrate_rebuilds_it) {
  store_fixture f("hidlost", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> written = f.run(
      f.store.append({event_at("m1", in_month(ym(2023, 5))), event_at("m2", in_month(ym(2023, 9))),
                      event_at("m3", in_month(ym(2024, 2)))}));
  delete_metadata(f);
  // A new process (no cache) appends one event: the item it creates holds only this month.
  repo other(f.io.get_executor(), local_config(), f.options);
  const std::vector<event> one = f.run(other.append({make_event("replay", "s", "x")}));
  written.push_back(one.front());
  BOOST_TEST_REQUIRE(stored_metadata(f).has_value());

  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
  // Bounds still apply to the months found.
  BOOST_TEST(
      replayed_ids(f, {.last_month = ym(2023, 12)}) == (std::vector<std::string>{"m1", "m2"}),
      boost::test_tools::per_element());

  BOOST_TEST(f.run(f.store.migrate({})).items_updated == 0u);
  const std::optional<ddb::item> item = stored_metadata(f);
  BOOST_TEST_REQUIRE(item.has_value());
  const table_metadata metadata = metadata_from_item(*item);
  BOOST_TEST_REQUIRE(metadata.months.has_value());
  BOOST_TEST((metadata.months->first == ym(2023, 5)));
  BOOST_TEST((metadata.months->last == this_month()));
  BOOST_TEST((metadata.complete_since == this_month()));

  // Complete now: replay reads the recorded range without scanning the index.
  const std::size_t scans = count_lines(f.log_lines(log_level::info), "Scan of timeBucketIndex");
  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
  BOOST_TEST(count_lines(f.log_lines(log_level::info), "Scan of timeBucketIndex") == scans);
}

BOOST_AUTO_TEST_CASE(a_corrupt_item_hides_nothing_and_migrate_repairs_it) {
  store_fixture f("hidcorrupt", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> written = f.run(f.store.append(
      {event_at("c1", in_month(ym(2022, 3))), event_at("c2", in_month(ym(2022, 11)))}));
  // Wrong types throughout.
  ddb::put_item_request corrupt;
  corrupt.table_name = f.store.table_name();
  corrupt.item = metadata_item_key();
  corrupt.item.emplace("firstMonth", ddb::attribute_value::number(202203));
  corrupt.item.emplace("lastMonth", ddb::attribute_value::boolean(true));
  corrupt.item.emplace("shards", ddb::attribute_value::string("one"));
  f.run(f.ddb.put_item(corrupt));

  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
  BOOST_TEST(count_lines(f.log_lines(log_level::warning), "'firstMonth' that is not a string") >=
             1u);

  f.run(f.store.migrate({}));
  const std::optional<ddb::item> item = stored_metadata(f);
  BOOST_TEST_REQUIRE(item.has_value());
  const table_metadata metadata = metadata_from_item(*item);  // no longer corrupt
  BOOST_TEST_REQUIRE(metadata.months.has_value());
  BOOST_TEST((metadata.months->first == ym(2022, 3)));
  BOOST_TEST((metadata.months->last == ym(2022, 11)));
  BOOST_TEST((metadata.shards == 1u));
  BOOST_TEST(metadata.complete_since.has_value());
  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(events_in_1965_and_2150_without_an_item_are_replayed) {
  store_fixture f("hidfar", {.skip_bucket_creation = true});
  create_adapter_table(f);
  const std::vector<event> written =
      put_stream(f, "far", {in_month(ym(1965, 3)), in_month(ym(2150, 7))}, true);
  // One slice a month: the span is 186 years of months.
  BOOST_TEST(replayed_ids(f, {.month_slices = 1}) == id_set(written),
             boost::test_tools::per_element());
  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(1965, 3)));
  BOOST_TEST((months->last == ym(2150, 7)));
}

BOOST_AUTO_TEST_CASE(a_sharded_table_without_its_item_replays_every_shard) {
  store_fixture f("hidshards", {.skip_bucket_creation = true, .time_bucket_shards = 4});
  f.run(f.store.init());
  std::vector<event> events;
  for (int i = 0; i < 40; ++i)
    events.push_back(event_at("sh-" + std::to_string(i),
                              in_month(ym(2024, 4) + chr::months{i % 3}, chr::milliseconds{i}),
                              "s" + std::to_string(i % 5)));
  // A stream's times may not go back: appended in time order.
  const std::vector<event> written = f.run(f.store.append(in_time_order(events)));
  delete_metadata(f);

  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());

  f.run(f.store.migrate({}));
  const std::optional<ddb::item> item = stored_metadata(f);
  BOOST_TEST_REQUIRE(item.has_value());
  BOOST_TEST((metadata_from_item(*item).shards == 4u));
  BOOST_TEST(replayed_ids(f) == id_set(written), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(init_on_an_empty_table_marks_it_complete_and_on_events_does_not) {
  store_fixture f("hidinit", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::optional<ddb::item> fresh = stored_metadata(f);
  BOOST_TEST_REQUIRE(fresh.has_value());
  BOOST_TEST((metadata_from_item(*fresh).complete_since == this_month()));

  store_fixture g("hidinit2", {.skip_bucket_creation = true});
  create_adapter_table(g);
  put_stream(g, "old", {in_month(ym(2021, 6))}, true);
  g.run(g.store.init());
  const std::optional<ddb::item> adapter = stored_metadata(g);
  BOOST_TEST_REQUIRE(adapter.has_value());
  BOOST_TEST(!metadata_from_item(*adapter).complete_since.has_value());
  BOOST_TEST(replayed_ids(g) == (std::vector<std::string>{"old-1"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
