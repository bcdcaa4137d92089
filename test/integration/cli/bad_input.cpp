// The `evstore` tool given bad input: events it must refuse (empty domain or type, ids with
// control characters or over the key size limit, lines that are not JSON or not UTF-8) and
// options it does not know. Each is exit status 2 with one line on stderr naming the problem,
// and the table holds exactly what it held before. Needs scripts/emulators running.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "integration/cli/cli_fixture.hpp"

BOOST_AUTO_TEST_SUITE(bad_input)

using evstore::test::process_result;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// Exit status 2, nothing on stdout, one line on stderr that names `part`.
void check_refused(const process_result& result, std::string_view part) {
  BOOST_TEST(result.status == 2, result.err);
  BOOST_TEST(result.out.empty(), result.out);
  BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1,
             "not one line: " << result.err);
  BOOST_TEST(result.err.starts_with("evstore"), result.err);
  BOOST_TEST(contains(result.err, part), "'" << result.err << "' does not name '" << part << "'");
}

const std::string good_line =
    R"({"id":"good-1","domain":"order","type":"placed","identifier":"o-1","payload":{"n":1},)"
    R"("created":"2024-05-01T12:00:00.000Z"})"
    "\n";

struct bad_line {
  std::string what;
  std::string line;
  std::string named;
};

std::vector<bad_line> bad_lines() {
  const std::string long_id(2100, 'x');
  return {
      {"empty domain", R"({"domain":"","type":"t","payload":1})", "the domain is empty"},
      {"empty type", R"({"domain":"d","type":"","payload":1})", "the type is empty"},
      {"no domain", R"({"type":"t","payload":1})", "domain"},
      {"control character in the id", R"({"id":"a\u0001b","domain":"d","type":"t","payload":1})",
       "control characters"},
      {"newline in the id", R"({"id":"a\nb","domain":"d","type":"t","payload":1})",
       "control characters"},
      {"id over the key size limit",
       R"({"id":")" + long_id + R"(","domain":"d","type":"t","payload":1})", "too long"},
      {"not JSON", "hello there", "line 2"},
      {"cut short", R"({"domain":"d","type":)", "line 2"},
      {"an array", "[1,2,3]", "line 2"},
      {"a string", R"("event")", "line 2"},
      {"not UTF-8", "{\"domain\":\"d\xff\",\"type\":\"t\",\"payload\":1}", "line 2"},
      {"payload not JSON text", R"({"domain":"d","type":"t","payload":})", "line 2"},
      {"created not a time", R"({"domain":"d","type":"t","payload":1,"created":"soon"})",
       "created"},
      {"deep nesting", std::string(5000, '[') + std::string(5000, ']'), "line 2"},
  };
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_bad_input, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(bad_event_lines_write_nothing) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  const process_result first = evstore({"append"}, good_line);
  BOOST_TEST_REQUIRE(first.status == 0, first.err);
  const process_result before = evstore({"replay"});
  BOOST_TEST_REQUIRE(before.status == 0, before.err);

  for (const bad_line& bad : bad_lines()) {
    BOOST_TEST_CONTEXT(bad.what) {
      // A valid event on line 1: it must not be written either.
      const std::string input =
          R"({"id":"neighbour","domain":"order","type":"placed","identifier":"o-2","payload":2})"
          "\n" +
          bad.line + "\n";
      const process_result result = evstore({"append"}, input);
      check_refused(result, bad.named);
      if (bad.named != "line 2") BOOST_TEST(contains(result.err, "line 2"), result.err);
    }
  }
  const process_result after = evstore({"replay"});
  BOOST_TEST(after.status == 0);
  BOOST_TEST(after.out == before.out);
  const process_result neighbour = evstore({"get", "neighbour"});
  BOOST_TEST(neighbour.status != 0);
  BOOST_TEST(neighbour.out.empty());
}

BOOST_AUTO_TEST_CASE(unknown_options_and_bad_values_are_usage_errors) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  check_refused(evstore({"append", "--frobnicate"}, good_line), "--frobnicate");
  check_refused(evstore({"--no-such-option", "replay"}), "--no-such-option");
  check_refused(evstore({"replay", "--page-size", "0"}), "--page-size");
  check_refused(evstore({"replay", "--page-size", "99999999999999999999999"}), "--page-size");
  check_refused(evstore({"replay", "--from-month", "2024-13"}), "--from-month");
  check_refused(evstore({"append", "--expected-sequence", "-1"}, good_line), "--expected-sequence");
  check_refused(evstore({"--dynamodb-endpoint", "ftp://127.0.0.1:1", "replay"}),
                "--dynamodb-endpoint");
  check_refused(evstore({"get"}), "get");
  const process_result replayed = evstore({"replay"});
  BOOST_TEST(replayed.status == 0);
  BOOST_TEST(replayed.out.empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
