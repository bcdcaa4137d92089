#include "cli/snapshot_line.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include "evstore/store/time.hpp"

BOOST_AUTO_TEST_SUITE(snapshot_line)

namespace cli = evstore::cli;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_snapshot_line)

BOOST_AUTO_TEST_CASE(state_is_written_as_json_on_one_line) {
  evstore::snapshot value;
  value.domain = "account";
  value.identifier = "42";
  value.sequence = 7;
  value.state_json = "{\n  \"balance\": 10,\n  \"owner\": \"ada\"\n}";
  value.created = evstore::parse_iso8601("2024-05-01T12:34:56.789Z");
  BOOST_TEST(cli::snapshot_json_line(value) ==
             R"({"domain":"account","identifier":"42","sequence":7,)"
             R"("state":{"balance":10,"owner":"ada"},"created":"2024-05-01T12:34:56.789Z"})");

  value.created.reset();
  value.state_json = "[1,2]";
  BOOST_TEST(cli::snapshot_json_line(value) ==
             R"({"domain":"account","identifier":"42","sequence":7,"state":[1,2]})");
}

BOOST_AUTO_TEST_CASE(a_state_that_is_not_json_is_named) {
  evstore::snapshot value;
  value.domain = "account";
  value.identifier = "42";
  value.state_json = "{broken";
  try {
    cli::snapshot_json_line(value);
    BOOST_ERROR("no error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(contains(std::string(e.what()), "account::42"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
