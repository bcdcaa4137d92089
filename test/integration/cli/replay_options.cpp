// `evstore replay` options against DynamoDB Local: --from/--to (splitting a replay by month),
// --after-id (resuming), --parallel (same output for every K), and silence on a pipe.

#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "integration/cli/cli_fixture.hpp"

BOOST_AUTO_TEST_SUITE(replay_options)

namespace json = boost::json;
using evstore::test::check_same_events;
using evstore::test::parse_json_lines;

namespace {

/// Three events in each of January, February and March 2024, two streams.
std::string events_over_three_months() {
  std::string lines;
  int n = 0;
  for (const char* month : {"01", "02", "03"}) {
    for (int day = 10; day < 13; ++day) {
      ++n;
      lines += R"({"id":"m-)" + std::to_string(n) + R"(","domain":"ledger","type":"posted",)" +
               R"("identifier":")" + (n % 2 == 0 ? "even" : "odd") + R"(","payload":{"n":)" +
               std::to_string(n) + R"(},"created":"2024-)" + month + "-" + std::to_string(day) +
               "T08:00:00.000Z\"}\n";
    }
  }
  return lines;
}

std::vector<std::string> ids_of(const std::vector<json::value>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.emplace_back(e.at("id").as_string());
  return ids;
}

std::vector<std::string> ids(std::initializer_list<int> numbers) {
  std::vector<std::string> result;
  for (int n : numbers) result.push_back("m-" + std::to_string(n));
  return result;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_replay_options, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(months_resume_and_parallelism) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  auto appended = evstore({"append"}, events_over_three_months());
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);

  auto all = evstore({"replay", "--page-size", "2"});
  BOOST_TEST_REQUIRE(all.status == 0, all.err);
  // Piped stderr stays empty: no progress, no warnings.
  BOOST_TEST(all.err.empty(), all.err);
  const auto everything = parse_json_lines(all.out);
  BOOST_TEST(ids_of(everything) == ids({1, 2, 3, 4, 5, 6, 7, 8, 9}),
             boost::test_tools::per_element());

  auto february = evstore({"replay", "--from", "2024-02", "--to", "2024-02"});
  BOOST_TEST_REQUIRE(february.status == 0, february.err);
  BOOST_TEST(ids_of(parse_json_lines(february.out)) == ids({4, 5, 6}),
             boost::test_tools::per_element());
  auto from_march = evstore({"replay", "--from-month", "2024-03"});
  BOOST_TEST(ids_of(parse_json_lines(from_march.out)) == ids({7, 8, 9}),
             boost::test_tools::per_element());

  // Resuming after the last line of a replay cut short gives the rest.
  auto resumed = evstore({"replay", "--after-id", "m-5", "--page-size", "1"});
  BOOST_TEST_REQUIRE(resumed.status == 0, resumed.err);
  BOOST_TEST(ids_of(parse_json_lines(resumed.out)) == ids({6, 7, 8, 9}),
             boost::test_tools::per_element());
  auto resumed_to = evstore({"replay", "--after-id", "m-2", "--to", "2024-02"});
  BOOST_TEST(ids_of(parse_json_lines(resumed_to.out)) == ids({3, 4, 5, 6}),
             boost::test_tools::per_element());

  for (const char* k : {"1", "8"}) {
    auto parallel = evstore({"replay", "--parallel", k, "--page-size", "2"});
    BOOST_TEST(parallel.status == 0, parallel.err);
    BOOST_TEST(parallel.out == all.out, "--parallel " << k);
  }
}

BOOST_AUTO_TEST_CASE(an_unknown_resume_point_is_one_line) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, events_over_three_months()).status == 0);
  auto unknown = evstore({"replay", "--after-id", "no-such-event"});
  BOOST_TEST(unknown.status == 1);
  BOOST_TEST(unknown.out.empty());
  BOOST_TEST(std::count(unknown.err.begin(), unknown.err.end(), '\n') == 1, unknown.err);
  BOOST_TEST(unknown.err.starts_with("evstore replay: "), unknown.err);
  BOOST_TEST(unknown.err.find("no-such-event") != std::string::npos, unknown.err);

  auto quiet = evstore({"--quiet", "replay", "--after-id", "no-such-event"});
  BOOST_TEST(quiet.status == 1);
  BOOST_TEST(quiet.err == unknown.err);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
