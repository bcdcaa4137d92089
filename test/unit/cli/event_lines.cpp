#include "cli/event_lines.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <sstream>
#include <string>

#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"

BOOST_AUTO_TEST_SUITE(event_lines)

namespace cli = evstore::cli;

namespace {

std::vector<evstore::event> read(const std::string& text) {
  std::istringstream in(text);
  return cli::read_event_lines(in);
}

std::string error_of(const std::string& text) {
  try {
    read(text);
  } catch (const cli::input_error& e) {
    return e.what();
  }
  return "no input_error";
}

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.starts_with(prefix);
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_event_lines)

BOOST_AUTO_TEST_CASE(reads_every_field_and_skips_blank_lines) {
  auto events = read(
      "\n"
      R"({"id":"e1","domain":"account","type":"opened","identifier":"a1","payload":{"n":1},)"
      R"("meta":{"by":"me"},"correlationId":"c1","causationId":"k1",)"
      R"("created":"2024-05-01T12:34:56.789Z"})"
      "\n  \t\r\n"
      R"({"domain":"account","type":"noted","payload":[1,"two",null]})"
      "\r\n");
  BOOST_TEST_REQUIRE(events.size() == 2u);
  const auto& first = events[0];
  BOOST_TEST(first.id == "e1");
  BOOST_TEST(first.domain == "account");
  BOOST_TEST(first.type == "opened");
  BOOST_TEST(first.identifier.value() == "a1");
  BOOST_TEST(first.payload_json == R"({"n":1})");
  BOOST_TEST(first.meta_json.value() == R"({"by":"me"})");
  BOOST_TEST(first.correlation_id.value() == "c1");
  BOOST_TEST(first.causation_id.value() == "k1");
  BOOST_TEST(evstore::format_iso8601(first.created.value()) == "2024-05-01T12:34:56.789Z");

  // A missing id is generated; a missing created stays missing: the store gives each line
  // without one a time that keeps its stream's order.
  const auto& second = events[1];
  BOOST_TEST(second.id.size() == 36u);
  BOOST_TEST(second.id[14] == '4');
  BOOST_TEST(!second.created.has_value());
  BOOST_TEST(!second.identifier.has_value());
  BOOST_TEST(second.payload_json == R"([1,"two",null])");
}

BOOST_AUTO_TEST_CASE(replay_output_reads_back_without_its_sequence) {
  evstore::event original;
  original.id = "r1";
  original.domain = "d";
  original.type = "t";
  original.identifier = "i";
  original.payload_json = R"({"text":"line\nbreak \u00e9"})";
  original.created = evstore::parse_iso8601("2023-12-31T23:59:59.999Z");
  original.sequence = 42;

  auto events = read(evstore::to_json_line(original) + "\n");
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].sequence == 0u);
  BOOST_TEST(events[0].id == original.id);
  BOOST_TEST(events[0].payload_json == original.payload_json);
  BOOST_TEST((events[0].created == original.created));
}

BOOST_AUTO_TEST_CASE(empty_input_is_no_events) {
  BOOST_TEST(read("").empty());
  BOOST_TEST(read("\n\n").empty());
}

BOOST_AUTO_TEST_CASE(the_first_bad_line_is_named) {
  const std::string good = R"({"domain":"d","type":"t","payload":1})"
                           "\n";
  BOOST_TEST(starts_with(error_of(good + good + "{not json\n" + "[]\n"), "line 3: "));
  BOOST_TEST(starts_with(error_of("\n\n[1,2]\n"), "line 3: "));
  BOOST_TEST(contains(error_of(good + R"({"type":"t","payload":1})"), "line 2: "));
  BOOST_TEST(contains(error_of(R"({"type":"t","payload":1})"), "'domain' is required"));
  BOOST_TEST(contains(error_of(R"({"domain":"d","type":"t"})"), "'payload' is required"));
  BOOST_TEST(contains(error_of(R"({"domain":"d","type":"","payload":1})"), "type is empty"));
  BOOST_TEST(contains(error_of(R"({"domain":"a::b","type":"t","payload":1})"), "line 1: "));
  BOOST_TEST(contains(error_of(R"({"domain":"d","type":"t","payload":1,"meta":[1]})"),
                      "'meta' must be an object"));
  BOOST_TEST(contains(error_of(R"({"domain":"d","type":"t","payload":1,"created":"yesterday"})"
                               "\n"),
                      "line 1: "));
  BOOST_TEST(
      contains(error_of(R"({"id":"HEAD::x","domain":"d","type":"t","payload":1})"), "HEAD::"));
}

BOOST_AUTO_TEST_CASE(an_id_given_twice_names_both_lines) {
  const std::string text = R"({"id":"x","domain":"d","type":"t","payload":1})"
                           "\n"
                           R"({"id":"y","domain":"d","type":"t","payload":1})"
                           "\n"
                           R"({"id":"x","domain":"e","type":"t","payload":2})"
                           "\n";
  const std::string message = error_of(text);
  BOOST_TEST(starts_with(message, "line 3: "));
  BOOST_TEST(contains(message, "already given on line 1"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
