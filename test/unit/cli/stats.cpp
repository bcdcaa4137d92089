#include "cli/stats.hpp"

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

BOOST_AUTO_TEST_SUITE(stats)

namespace cli = evstore::cli;
namespace json = boost::json;
using std::chrono::year;

namespace {

cli::table_stats sample() {
  cli::table_stats stats;
  stats.table_name = "p-schemeless-event-store";
  stats.events = 12'345;
  stats.streams = 42;
  stats.months =
      evstore::month_range{year(2024) / std::chrono::January, year(2024) / std::chrono::May};
  stats.scan = {1'000, 12.5};
  stats.requests.dynamodb.requests = 7;
  stats.requests.dynamodb.retries = 1;
  stats.requests.dynamodb.errors.throttling = 1;
  stats.requests.dynamodb.consumed_capacity_units = 3.5;
  stats.requests.dynamodb.latency.counts[2] = 7;  // all within 5 ms
  return stats;
}

}  // namespace

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_stats)

BOOST_AUTO_TEST_CASE(text_has_a_row_each) {
  const std::string text = cli::stats_text(sample());
  BOOST_TEST(contains(text, "table       p-schemeless-event-store\n"));
  BOOST_TEST(contains(text, "events      12,345\n"));
  BOOST_TEST(contains(text, "streams     42\n"));
  BOOST_TEST(contains(text, "months      2024-01 .. 2024-05\n"));
  BOOST_TEST(contains(text, "scan        1,000 items read, 12.5 read capacity units\n"));
  BOOST_TEST(contains(text,
                      "dynamodb    7 requests, 1 retries, 1 throttled, 0 failed, 3.5 "
                      "capacity units, p50 <= 5 ms, p99 <= 5 ms\n"),
             text);
  BOOST_TEST(contains(text,
                      "s3          0 requests, 0 retries, 0 throttled, 0 failed, 0.0 "
                      "capacity units, p50 -, p99 -\n"),
             text);

  auto empty = sample();
  empty.months.reset();
  BOOST_TEST(contains(cli::stats_text(empty), "months      none recorded\n"));
}

BOOST_AUTO_TEST_CASE(json_is_one_object_on_one_line) {
  const std::string line = cli::stats_json(sample());
  BOOST_TEST(line.ends_with("}\n"));
  BOOST_TEST(line.find('\n') == line.size() - 1);
  const json::object document = json::parse(line).as_object();
  BOOST_TEST(document.at("table").as_string() == "p-schemeless-event-store");
  BOOST_TEST(document.at("events").to_number<std::uint64_t>() == 12'345u);
  BOOST_TEST(document.at("streams").to_number<std::uint64_t>() == 42u);
  BOOST_TEST(document.at("months").at("first").as_string() == "2024-01");
  BOOST_TEST(document.at("months").at("last").as_string() == "2024-05");
  BOOST_TEST(document.at("scan").at("itemsRead").to_number<std::uint64_t>() == 1'000u);
  const auto& dynamodb = document.at("requests").at("dynamodb");
  BOOST_TEST(dynamodb.at("requests").to_number<std::uint64_t>() == 7u);
  BOOST_TEST(dynamodb.at("errors").at("throttling").to_number<std::uint64_t>() == 1u);
  BOOST_TEST(dynamodb.at("latency").at("p50Ms").to_number<std::int64_t>() == 5);
  const auto& buckets = dynamodb.at("latency").at("buckets").as_array();
  BOOST_TEST(buckets.size() == evstore::aws::latency_bucket_bounds.size() + 1);
  BOOST_TEST(buckets.back().at("leMs").is_null());
  BOOST_TEST(document.at("requests").at("s3").at("latency").at("p99Ms").is_null());

  auto empty = sample();
  empty.months.reset();
  BOOST_TEST(json::parse(cli::stats_json(empty)).at("months").is_null());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
