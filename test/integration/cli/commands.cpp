// The `evstore` binary as scripts use it: commands, JSON Lines in and out, exit statuses and
// one-line errors. Needs scripts/emulators running.

#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "integration/cli/cli_fixture.hpp"

BOOST_AUTO_TEST_SUITE(commands)

namespace json = boost::json;
using evstore::test::check_same_events;
using evstore::test::parse_json_lines;
using evstore::test::process_result;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

/// One line on stderr, nothing on stdout.
void check_one_line_error(const process_result& result, std::string_view part) {
  BOOST_TEST(result.out.empty());
  BOOST_TEST(std::count(result.err.begin(), result.err.end(), '\n') == 1, result.err);
  BOOST_TEST(result.err.starts_with("evstore"), result.err);
  BOOST_TEST(contains(result.err, part), result.err);
}

const std::string three_events =
    R"({"id":"c-1","domain":"order","type":"placed","identifier":"o-1","payload":{"total":5},)"
    R"("created":"2024-05-01T14:34:56.789+02:00","meta":{"channel":"web"},"correlationId":"k"})"
    "\n"
    R"({"id":"c-2","domain":"order","type":"paid","identifier":"o-1","payload":null,)"
    R"("causationId":"c-1","created":"2024-05-01T12:35:00Z"})"
    "\n"
    R"({"id":"c-3","domain":"order","type":"shipped","identifier":"o-1","payload":"box",)"
    R"("causationId":"c-1","created":"2024-05-01T12:36:00.1Z"})"
    "\n";

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_commands, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(help_and_bad_usage) {
  auto help = evstore({"--help"});
  BOOST_TEST(help.status == 0);
  BOOST_TEST(help.out.starts_with("usage: evstore"));
  BOOST_TEST(help.err.empty());
  auto append_help = evstore({"append", "--help"});
  BOOST_TEST(append_help.status == 0);
  BOOST_TEST(contains(append_help.out, "--expected-sequence"));

  auto unknown = evstore({"frobnicate"});
  BOOST_TEST(unknown.status == 2);
  check_one_line_error(unknown, "unknown command 'frobnicate'");
  auto none = evstore({});
  BOOST_TEST(none.status == 2);
  check_one_line_error(none, "no command");
  auto bad_count = evstore({"append", "--expected-sequence", "x"});
  BOOST_TEST(bad_count.status == 2);
  check_one_line_error(bad_count, "--expected-sequence takes a whole number");
}

BOOST_AUTO_TEST_CASE(append_replay_get_and_caused_by) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  auto appended = evstore({"append", "--expected-sequence", "0"}, three_events);
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
  BOOST_TEST(appended.out.empty());

  // created is written as UTC with milliseconds; absent members are omitted.
  auto first = parse_json_lines(
      R"({"id":"c-1","domain":"order","type":"placed","identifier":"o-1","payload":{"total":5},)"
      R"("meta":{"channel":"web"},"correlationId":"k","created":"2024-05-01T12:34:56.789Z",)"
      R"("sequence":1})");
  auto all = parse_json_lines(
      evstore::test::to_json_lines(first) +
      R"({"id":"c-2","domain":"order","type":"paid","identifier":"o-1","payload":null,)"
      R"("causationId":"c-1","created":"2024-05-01T12:35:00.000Z","sequence":2})"
      "\n"
      R"({"id":"c-3","domain":"order","type":"shipped","identifier":"o-1","payload":"box",)"
      R"("causationId":"c-1","created":"2024-05-01T12:36:00.100Z","sequence":3})");
  auto replayed = evstore({"replay"});
  BOOST_TEST_REQUIRE(replayed.status == 0, replayed.err);
  check_same_events(parse_json_lines(replayed.out), all);
  BOOST_TEST(contains(replayed.out, R"("created":"2024-05-01T12:35:00.000Z")"));

  auto got = evstore({"get", "c-1"});
  BOOST_TEST(got.status == 0, got.err);
  check_same_events(parse_json_lines(got.out), first);
  auto caused = evstore({"caused-by", "c-1"});
  BOOST_TEST(caused.status == 0, caused.err);
  check_same_events(parse_json_lines(caused.out), {all[1], all[2]});
  auto caused_none = evstore({"caused-by", "c-3"});
  BOOST_TEST(caused_none.status == 0);
  BOOST_TEST(caused_none.out.empty());

  auto missing = evstore({"get", "no-such-event"});
  BOOST_TEST(missing.status == 4);
  check_one_line_error(missing, "no-such-event");
}

BOOST_AUTO_TEST_CASE(events_without_id_or_created_get_them) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  auto appended = evstore({"append"}, R"({"domain":"note","type":"written","payload":{"t":1}})"
                                      "\n");
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
  auto replayed = evstore({"replay"});
  BOOST_TEST_REQUIRE(replayed.status == 0, replayed.err);
  auto events = parse_json_lines(replayed.out);
  BOOST_TEST_REQUIRE(events.size() == 1u);
  const auto& e = events[0].as_object();
  BOOST_TEST(std::regex_match(std::string(e.at("id").as_string()),
                              std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                         "[0-9a-f]{12}")));
  BOOST_TEST(std::regex_match(std::string(e.at("created").as_string()),
                              std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  BOOST_TEST(e.at("sequence").as_int64() == 1);
  BOOST_TEST(!e.contains("identifier"));
  BOOST_TEST(!e.contains("meta"));
}

BOOST_AUTO_TEST_CASE(a_bad_line_writes_nothing) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  const std::string good = R"({"domain":"d","type":"t","identifier":"i","payload":1})"
                           "\n";
  auto bad_json = evstore({"append"}, good + good + "{\"domain\":\n");
  BOOST_TEST(bad_json.status == 2);
  check_one_line_error(bad_json, "line 3");
  auto bad_event = evstore({"append"}, good + "\n" + R"({"domain":"d","type":"","payload":1})");
  BOOST_TEST(bad_event.status == 2);
  check_one_line_error(bad_event, "line 3");
  auto repeated = evstore({"append"}, R"({"id":"r","domain":"d","type":"t","payload":1})"
                                      "\n"
                                      R"({"id":"r","domain":"d","type":"t","payload":2})");
  BOOST_TEST(repeated.status == 2);
  check_one_line_error(repeated, "already given on line 1");

  auto replayed = evstore({"replay"});
  BOOST_TEST(replayed.status == 0);
  BOOST_TEST(replayed.out.empty());
}

BOOST_AUTO_TEST_CASE(conflicts_and_duplicates) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, three_events).status == 0);

  auto stale = evstore({"append", "--expected-sequence", "2"},
                       R"({"domain":"order","type":"late","identifier":"o-1","payload":{}})");
  BOOST_TEST(stale.status == 3);
  check_one_line_error(stale, "order");
  // The same id and created: the same item.
  auto duplicate = evstore({"append"}, R"({"id":"c-2","domain":"order","type":"again",)"
                                       R"("identifier":"o-2","payload":1,)"
                                       R"("created":"2024-05-01T12:35:00.000Z"})");
  BOOST_TEST(duplicate.status == 1);
  check_one_line_error(duplicate, "c-2");

  auto replayed = evstore({"replay"});
  BOOST_TEST(parse_json_lines(replayed.out).size() == 3u);

  // Two streams, one stale: what the store logs about the written one joins the error's line.
  auto partly = evstore({"append", "--expected-sequence", "0"},
                        R"({"domain":"order","type":"placed","identifier":"o-9","payload":{}})"
                        "\n"
                        R"({"domain":"order","type":"late","identifier":"o-1","payload":{}})");
  BOOST_TEST(partly.status == 3);
  check_one_line_error(partly, "order::o-1");
  BOOST_TEST(contains(partly.err, "order::o-9"), partly.err);
}

BOOST_AUTO_TEST_CASE(replay_output_copies_a_table) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, three_events).status == 0);
  auto source = evstore({"replay"});
  BOOST_TEST_REQUIRE(source.status == 0);

  environment()["EVSTORE_TABLE_PREFIX"] = prefix() + "copy-";
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  auto copied = evstore({"append"}, source.out);
  BOOST_TEST_REQUIRE(copied.status == 0, copied.err);
  auto replayed = evstore({"replay"});
  BOOST_TEST(replayed.out == source.out);
}

BOOST_AUTO_TEST_CASE(reset_empties_the_table) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, three_events).status == 0);
  auto reset = evstore({"reset"});
  BOOST_TEST_REQUIRE(reset.status == 0, reset.err);
  auto replayed = evstore({"replay"});
  BOOST_TEST(replayed.status == 0);
  BOOST_TEST(replayed.out.empty());
  BOOST_TEST(evstore({"get", "c-1"}).status == 4);
  BOOST_TEST(evstore({"append"}, three_events).status == 0);
}

BOOST_AUTO_TEST_CASE(large_payloads_round_trip_through_s3_with_any_acl_setting) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  const std::string big(400'000, 'x');  // over the 350,000-byte offload threshold
  for (const std::string acl : {"", "bucket-owner-full-control"}) {
    const std::string id = "big-" + std::to_string(acl.size());
    const std::string line =
        R"({"id":")" + id + R"(","domain":"blob","type":"stored","payload":")" + big + R"("})";
    auto appended = evstore({"--s3-acl", acl, "append"}, line);
    BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
    auto got = evstore({"get", id});
    BOOST_TEST_REQUIRE(got.status == 0, got.err);
    BOOST_TEST(parse_json_lines(got.out).at(0).at("payload").as_string() == big);
  }
}

BOOST_AUTO_TEST_CASE(a_server_failure_is_one_line_without_secrets) {
  environment()["AWS_SECRET_ACCESS_KEY"] = "SECRET-must-not-appear-0123456789";
  auto unreachable = evstore({"--dynamodb-endpoint", "http://127.0.0.1:1", "replay"});
  BOOST_TEST(unreachable.status == 1);
  check_one_line_error(unreachable, "replay");
  BOOST_TEST(!contains(unreachable.err, "SECRET-must-not-appear"));
}

BOOST_AUTO_TEST_CASE(verbose_logs_each_retry_also_when_piped) {
  auto unreachable = evstore({"--verbose", "--dynamodb-endpoint", "http://127.0.0.1:1", "replay"});
  BOOST_TEST(unreachable.status == 1);
  BOOST_TEST(
      contains(unreachable.err, "evstore debug: AWS dynamodb request to 127.0.0.1:1: attempt 1"));
  BOOST_TEST(contains(unreachable.err, "evstore warning: "));
  BOOST_TEST(contains(unreachable.err, "evstore replay: "));
  // Without --verbose, piped: the one error line only.
  auto quiet = evstore({"--dynamodb-endpoint", "http://127.0.0.1:1", "replay"});
  BOOST_TEST(!contains(quiet.err, "debug:"));
  auto both = evstore({"-q", "-v", "replay"});
  BOOST_TEST(both.status == 2);
  check_one_line_error(both, "--quiet and --verbose contradict");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
