// The commands over streams against DynamoDB Local and fauxqs: `stream`, `snapshot`, `streams`,
// `stats` and `migrate`, with their output shapes and exit statuses.

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "integration/cli/cli_fixture.hpp"
#include "integration/store/store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(stream_commands)

namespace json = boost::json;
using evstore::test::parse_json_lines;

namespace {

// Two streams: order::o-1 with three events, note:: (no identifier) with one.
const std::string two_streams =
    R"({"id":"s-1","domain":"order","type":"placed","identifier":"o-1","payload":{"total":5},)"
    R"("created":"2024-04-01T10:00:00.000Z"})"
    "\n"
    R"({"id":"s-2","domain":"order","type":"paid","identifier":"o-1","payload":null,)"
    R"("created":"2024-04-01T10:01:00.000Z"})"
    "\n"
    R"({"id":"s-3","domain":"order","type":"shipped","identifier":"o-1","payload":"box",)"
    R"("created":"2024-06-02T10:00:00.000Z"})"
    "\n"
    R"({"id":"s-4","domain":"note","type":"written","payload":{"t":1},)"
    R"("created":"2024-05-01T00:00:00.000Z"})"
    "\n";

std::vector<std::string> ids_of(const std::vector<json::value>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.emplace_back(e.at("id").as_string());
  return ids;
}

void check_one_line_error(const evstore::test::process_result& result, std::string_view command,
                          std::string_view part) {
  BOOST_TEST(result.out.empty());
  BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1, result.err);
  BOOST_TEST(result.err.starts_with("evstore " + std::string(command) + ": "), result.err);
  BOOST_TEST(result.err.find(part) != std::string::npos, result.err);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_stream_commands, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(stream_writes_one_stream_by_sequence) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, two_streams).status == 0);

  auto order = evstore({"stream", "order", "o-1"});
  BOOST_TEST_REQUIRE(order.status == 0, order.err);
  BOOST_TEST(order.err.empty());
  const auto events = parse_json_lines(order.out);
  BOOST_TEST(ids_of(events) == (std::vector<std::string>{"s-1", "s-2", "s-3"}),
             boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(events.size() == 3u);
  BOOST_TEST(events[2].at("sequence").as_int64() == 3);

  auto later = evstore({"stream", "order", "o-1", "--after-sequence", "1"});
  BOOST_TEST(ids_of(parse_json_lines(later.out)) == (std::vector<std::string>{"s-2", "s-3"}),
             boost::test_tools::per_element());
  auto note = evstore({"stream", "note", ""});
  BOOST_TEST(ids_of(parse_json_lines(note.out)) == std::vector<std::string>{"s-4"},
             boost::test_tools::per_element());
  auto none = evstore({"stream", "order", "o-404"});
  BOOST_TEST(none.status == 0, none.err);
  BOOST_TEST(none.out.empty());
}

BOOST_AUTO_TEST_CASE(snapshot_is_written_or_exits_4) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  auto missing = evstore({"snapshot", "order", "o-1"});
  BOOST_TEST(missing.status == 4);
  check_one_line_error(missing, "snapshot", "order::o-1");

  // Saved through the library, as an application would.
  boost::asio::io_context io;
  evstore::repo_options options;
  options.table_name_prefix = prefix();
  options.s3_bucket_name = environment().at("EVSTORE_S3_BUCKET");
  evstore::repo store(io.get_executor(), evstore::test::local_config(), options);
  evstore::snapshot value;
  value.domain = "order";
  value.identifier = "o-1";
  value.sequence = 2;
  value.state_json = "{\"paid\": true,\n \"total\": 5}";
  BOOST_TEST_REQUIRE(evstore::test::run_for(io, store.save_snapshot(value)));

  auto found = evstore({"snapshot", "order", "o-1"});
  BOOST_TEST_REQUIRE(found.status == 0, found.err);
  const auto lines = parse_json_lines(found.out);
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  const json::object& line = lines[0].as_object();
  BOOST_TEST(line.at("domain").as_string() == "order");
  BOOST_TEST(line.at("identifier").as_string() == "o-1");
  BOOST_TEST(line.at("sequence").as_int64() == 2);
  BOOST_TEST(line.at("state") == (json::object{{"paid", true}, {"total", 5}}));
  BOOST_TEST(line.contains("created"));
}

BOOST_AUTO_TEST_CASE(streams_and_stats_count_the_table) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, two_streams).status == 0);

  auto streams = evstore({"streams"});
  BOOST_TEST_REQUIRE(streams.status == 0, streams.err);
  std::set<std::tuple<std::string, std::string, std::int64_t>> listed;
  for (const auto& line : parse_json_lines(streams.out)) {
    listed.emplace(line.at("domain").as_string(), line.at("identifier").as_string(),
                   line.at("version").as_int64());
  }
  const std::set<std::tuple<std::string, std::string, std::int64_t>> expected{{"order", "o-1", 3},
                                                                              {"note", "", 1}};
  BOOST_TEST((listed == expected));

  auto stats = evstore({"stats", "--json"});
  BOOST_TEST_REQUIRE(stats.status == 0, stats.err);
  const auto documents = parse_json_lines(stats.out);
  BOOST_TEST_REQUIRE(documents.size() == 1u);
  const json::value& document = documents[0];
  BOOST_TEST(document.at("events").as_int64() == 4);
  BOOST_TEST(document.at("streams").as_int64() == 2);
  BOOST_TEST(document.at("months").at("first").as_string() == "2024-04");
  BOOST_TEST(document.at("months").at("last").as_string() == "2024-06");
  BOOST_TEST(document.at("scan").at("itemsRead").as_int64() >= 6);
  // The metadata read and the Scan's pages at least.
  BOOST_TEST(document.at("requests").at("dynamodb").at("requests").as_int64() >= 2);

  auto text = evstore({"stats"});
  BOOST_TEST_REQUIRE(text.status == 0, text.err);
  BOOST_TEST(text.out.find("events      4\n") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("months      2024-04 .. 2024-06\n") != std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(migrate_reports_its_totals) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, two_streams).status == 0);
  // evstore wrote every item with what migrate adds: nothing to update.
  auto migrated = evstore({"migrate", "--parallel", "2"});
  BOOST_TEST_REQUIRE(migrated.status == 0, migrated.err);
  BOOST_TEST(migrated.err.empty());
  const auto lines = parse_json_lines(migrated.out);
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0].at("itemsScanned").as_int64() >= 4);
  BOOST_TEST(lines[0].at("itemsUpdated").as_int64() == 0);
  BOOST_TEST(parse_json_lines(evstore({"replay"}).out).size() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
