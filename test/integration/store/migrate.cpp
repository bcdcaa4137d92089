// repo::migrate on a table the TypeScript adapter wrote: the stream index added by init, the
// `stream` attribute given to old events (once), and the months recorded.

#include <boost/test/unit_test.hpp>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "evstore/store/item_codec.hpp"
#include "store_fixture.hpp"

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

/// The table as the adapter creates it: key id + created, its two KEYS_ONLY indexes only.
void create_adapter_table(store_fixture& f) {
  using dynamodb::key_type;
  using dynamodb::scalar_type;
  dynamodb::create_table_request request;
  request.table_name = f.store.table_name();
  request.attribute_definitions = {{"id", scalar_type::s},
                                   {"timeBucket", scalar_type::s},
                                   {"causationId", scalar_type::s},
                                   {"created", scalar_type::s}};
  request.key_schema = {{"id", key_type::hash}, {"created", key_type::range}};
  request.billing_mode = dynamodb::billing_mode::provisioned;
  const dynamodb::provisioned_throughput throughput{10, 10};
  request.provisioned_throughput = throughput;
  const dynamodb::projection keys_only{dynamodb::projection_type::keys_only, {}};
  request.global_secondary_indexes = {
      {"timeBucketIndex",
       {{"timeBucket", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
      {"causationIndex",
       {{"causationId", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput}};
  f.run(f.ddb.create_table(request));
  f.run(f.ddb.wait_until_active(f.store.table_name()));
}

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
    dynamodb::put_item_request put;
    put.table_name = f.store.table_name();
    put.item = to_item(e);
    put.item.erase(std::string(stream_attribute));
    f.run(f.ddb.put_item(put));
  }
  dynamodb::put_item_request head;
  head.table_name = f.store.table_name();
  head.item = head_item_key("ledger", identifier);
  head.item.emplace("version", dynamodb::attribute_value::number(std::uint64_t{count}));
  f.run(f.ddb.put_item(head));
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
  BOOST_CHECK(months->first == std::chrono::year{2019} / std::chrono::November);
  BOOST_CHECK(months->last >= std::chrono::year{2021} / std::chrono::February);

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
