// repo::migrate on a table the TypeScript adapter wrote: the stream index added by init, the
// `stream` attribute given to old events (once), and the months recorded.

#include <boost/test/unit_test.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "adapter_table.hpp"
#include "store/item_codec.hpp"
#include "store/metadata_item.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(migrate)

using namespace evstore;
using evstore::test::create_adapter_table;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

/// Writes a stream as the adapter does: event items without `stream`, then the head.
void write_adapter_stream(store_fixture& f, const std::string& identifier, std::size_t count,
                          const std::string& first_created) {
  timestamp created = test::utc(first_created);
  for (std::size_t i = 0; i < count; ++i) {
    event e = make_event("ledger", identifier, "posted", "{\"i\":" + std::to_string(i) + "}");
    e.id = identifier + "-" + std::to_string(i);
    e.created = created;
    created += std::chrono::hours(24 * 20);  // spans months
    e.sequence = i + 1;
    test::put_adapter_event(f, e);
  }
  test::put_adapter_head(f, "ledger", identifier, count);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_migrate)

BOOST_AUTO_TEST_CASE(an_adapter_table_gets_the_index_the_stream_attribute_and_its_months) {
  store_fixture f("migrate");
  create_adapter_table(f);
  write_adapter_stream(f, "a", 12, "2019-11-03T10:00:00.000Z");
  write_adapter_stream(f, "b", 3, "2021-02-01T00:00:00.000Z");
  f.run(f.store.init());  // adds the stream index to the existing table

  stream_read_options read;
  read.max_index_wait = std::chrono::milliseconds{100};
  BOOST_CHECK_THROW(f.run(f.store.stream_events("ledger", "a", read)), boost::system::system_error);

  std::vector<migrate_progress> seen;
  migrate_options options;
  options.parallel_segments = 3;
  options.on_progress = [&seen](const migrate_progress& progress) { seen.push_back(progress); };
  const migrate_progress totals = f.run(f.store.migrate(options));
  BOOST_TEST(totals.items_updated == 15u);
  BOOST_TEST(totals.items_scanned >= 15u);
  BOOST_TEST_REQUIRE(!seen.empty());
  BOOST_TEST(seen.back().items_updated == 15u);

  const std::vector<event> a = f.run(f.store.stream_events("ledger", "a", read));
  BOOST_TEST_REQUIRE(a.size() == 12u);
  for (std::size_t i = 0; i < a.size(); ++i) BOOST_TEST(a[i].sequence == i + 1);
  BOOST_TEST(f.run(f.store.stream_events("ledger", "b", read)).size() == 3u);

  const std::optional<month_range> months = f.run(f.store.event_months());
  BOOST_TEST_REQUIRE(months.has_value());
  // Exactly the months of the events, and marked complete: replay reads no more.
  BOOST_CHECK(months->first == std::chrono::year{2019} / std::chrono::November);
  BOOST_CHECK(months->last == std::chrono::year{2021} / std::chrono::March);
  const dynamodb::get_item_request get{
      .table_name = f.store.table_name(), .key = metadata_item_key(), .consistent_read = true};
  const std::optional<dynamodb::item> item = f.run(f.ddb.get_item(get)).item;
  BOOST_TEST_REQUIRE(item.has_value());
  BOOST_CHECK(metadata_from_item(*item).complete_since == month_of(now_ms()));

  // Run again: nothing left to do. Appends after migration continue the streams.
  BOOST_TEST(f.run(f.store.migrate({})).items_updated == 0u);
  f.run(f.store.append({make_event("ledger", "b", "posted")}));
  BOOST_TEST(f.run(f.store.stream_events("ledger", "b", read)).size() == 4u);
  BOOST_TEST(f.replay_all({}).size() == 16u);
}

BOOST_AUTO_TEST_CASE(init_from_two_repos_at_once_adds_the_index_once) {
  store_fixture f("migrateinit");
  create_adapter_table(f);
  repo second{f.io.get_executor(), test::local_config(), f.options};
  using namespace boost::asio::experimental::awaitable_operators;
  f.run(f.store.init() && second.init());
  const dynamodb::describe_table_request describe{.table_name = f.store.table_name()};
  const auto table = f.run(f.ddb.describe_table(describe)).table;
  BOOST_TEST(table.global_secondary_indexes.size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
