// `evstore replay` and `evstore append` through a proxy that faults 30% of DynamoDB requests,
// at the tool's default retry settings: the replay exits 0 with the output of a fault-free
// replay, the appends store every event once, and a throttled run says so in one note on stderr
// (not with -q). A DynamoDB that never answers fails the tool once the bound without progress
// (--max-time-without-progress) has passed.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "integration/cli/cli_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(faults)

using evstore::test::check_same_events;
using evstore::test::fault_kind;
using evstore::test::parse_json_lines;
using namespace std::chrono_literals;

namespace {

/// `count` events 50 minutes apart in 20 streams, as JSON Lines for `evstore append`. They start
/// 60 days ago, so 1,500 end before now: replay reads every month up to the current one, and
/// each month costs a Query per slice even when empty.
std::string event_lines(std::size_t count, std::size_t first = 0) {
  static const std::time_t start = std::time(nullptr) / 60 * 60 - 60 * 86'400;
  std::string lines;
  for (std::size_t n = first; n < first + count; ++n) {
    const std::time_t at = start + static_cast<std::time_t>(n) * 50 * 60;
    std::tm utc{};
    gmtime_r(&at, &utc);
    char created[32];
    std::strftime(created, sizeof created, "%Y-%m-%dT%H:%M:00.000Z", &utc);
    lines += R"({"id":"f-)" + std::to_string(n) + R"(","domain":"ledger","type":"posted",)" +
             R"("identifier":"s)" + std::to_string(n % 20) + R"(","payload":{"n":)" +
             std::to_string(n) + R"(,"pad":")" + std::string(200 + n % 300, 'p') +
             R"("},"created":")" + created + "\"}\n";
  }
  return lines;
}

std::size_t count_lines_with(const std::string& text, std::string_view part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1))
    ++count;
  return count;
}

evstore::test::fault_proxy_options thirty_percent(std::uint64_t seed) {
  evstore::test::fault_proxy_options options;
  options.upstream_url = evstore::test::dynamodb_url();
  options.fault_share = 0.3;
  options.seed = evstore::test::fault_seed(seed);
  options.stall_time = 2'500ms;
  return options;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_faults, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(replay_and_append_through_thirty_percent_faults) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  const auto appended = evstore({"append"}, event_lines(1'200));
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
  const auto expected = evstore({"replay"});
  BOOST_TEST_REQUIRE(expected.status == 0, expected.err);
  BOOST_TEST_REQUIRE(parse_json_lines(expected.out).size() == 1'200u);

  evstore::test::fault_proxy proxy{thirty_percent(15)};
  environment()["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url();
  const auto started = std::chrono::steady_clock::now();
  const auto faulted = evstore({"replay"});
  BOOST_TEST_MESSAGE(
      "faulted replay took "
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
      << " s: " << proxy.counts().summary() << "; stderr: " << faulted.err);
  BOOST_TEST(faulted.status == 0, faulted.err);
  check_same_events(parse_json_lines(faulted.out), parse_json_lines(expected.out));
  BOOST_TEST(proxy.counts().faults() * 10 >= proxy.counts().requests);  // at least 10% (30% asked)
  // Throttled (a few of the faults are throttling): one note, at the end.
  if (proxy.count(fault_kind::throttling) + proxy.count(fault_kind::throughput_exceeded) > 0) {
    BOOST_TEST(count_lines_with(faulted.err, "evstore replay: note: throttled ") == 1u);
  }

  // Appends through the same faults: each acknowledged once, none failed.
  const auto counts_before_append = proxy.counts();
  const auto append_started = std::chrono::steady_clock::now();
  const auto more = evstore({"append"}, event_lines(300, 1'200));
  BOOST_TEST_MESSAGE(
      "faulted append took "
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - append_started).count()
      << " s: " << proxy.counts().summary() << " (replay included: requests "
      << counts_before_append.requests << ", faults " << counts_before_append.faults()
      << "); stderr: " << more.err);
  BOOST_TEST(more.status == 0, more.err);
  environment()["AWS_ENDPOINT_URL_DYNAMODB"] = evstore::test::dynamodb_url();
  const auto all = evstore({"replay"});
  BOOST_TEST_REQUIRE(all.status == 0, all.err);
  const std::vector<boost::json::value> stored = parse_json_lines(all.out);
  BOOST_TEST(stored.size() == 1'500u);
  std::set<std::string> ids;
  for (const auto& e : stored) ids.insert(std::string(e.at("id").as_string()));
  BOOST_TEST(ids.size() == 1'500u);
}

BOOST_AUTO_TEST_CASE(a_throttled_run_notes_it_unless_quiet) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, event_lines(100)).status == 0);
  evstore::test::fault_proxy_options options = thirty_percent(5);
  options.fault_share = 0.2;
  options.kinds = {fault_kind::throttling};
  evstore::test::fault_proxy proxy{options};
  environment()["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url();
  const auto noted = evstore({"replay"});
  BOOST_TEST(noted.status == 0, noted.err);
  BOOST_TEST(parse_json_lines(noted.out).size() == 100u);
  BOOST_TEST_MESSAGE(noted.err);
  BOOST_TEST(count_lines_with(noted.err, "evstore replay: note: throttled ") == 1u);
  BOOST_TEST(noted.err.find("requests/s") != std::string::npos);
  const auto quiet = evstore({"-q", "replay"});
  BOOST_TEST(quiet.status == 0, quiet.err);
  BOOST_TEST(quiet.err.empty(), quiet.err);
}

BOOST_AUTO_TEST_CASE(a_dynamodb_that_never_answers_fails_after_the_bound_without_progress) {
  evstore::test::local_http_server silent{
      [](const evstore::http::request&) { return evstore::http::response{}; }};
  silent.set_response_delay(60s);
  environment()["AWS_ENDPOINT_URL_DYNAMODB"] = silent.url();
  const auto started = std::chrono::steady_clock::now();
  const auto result = evstore(
      {"--max-time-without-progress", "2", "--request-timeout", "1", "stream", "ledger", "s1"});
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE(result.err);
  BOOST_TEST(result.status == 1);
  BOOST_TEST(result.err.find("no progress within the time limit") != std::string::npos);
  BOOST_TEST((took >= 2s));
  BOOST_TEST((took < 6s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
