#include <boost/test/unit_test.hpp>

#include <boost/json/value.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"

BOOST_AUTO_TEST_SUITE(event_json)

namespace {

evstore::event full_event() {
  evstore::event e;
  e.id = "e-1";
  e.domain = "account";
  e.type = "deposited";
  e.identifier = "acc-42";
  e.payload_json = R"({"amount":12345678901234567890123,"note":"caf\u00e9 \"x\""})";
  e.meta_json = R"({"user":"u1","n":1.50})";
  e.correlation_id = "corr";
  e.causation_id = "cause";
  e.created = evstore::parse_iso8601("2024-05-01T12:34:56.789Z");
  e.sequence = 7;
  return e;
}

std::string error_of(std::string_view json) {
  try {
    evstore::event_from_json(json);
  } catch (const boost::system::system_error& e) {
    BOOST_CHECK(e.code() == evstore::store_errc::invalid_event);
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_event_json)

BOOST_AUTO_TEST_CASE(writes_the_reference_shape) {
  BOOST_TEST(evstore::to_json_line(full_event()) ==
             R"({"id":"e-1","domain":"account","type":"deposited","identifier":"acc-42",)"
             R"("payload":{"amount":12345678901234567890123,"note":"caf\u00e9 \"x\""},)"
             R"("meta":{"user":"u1","n":1.50},"correlationId":"corr","causationId":"cause",)"
             R"("created":"2024-05-01T12:34:56.789Z","sequence":7})");
}

BOOST_AUTO_TEST_CASE(omits_absent_fields) {
  evstore::event e;
  e.domain = "d";
  e.type = "t";
  BOOST_TEST(evstore::to_json_line(e) == R"({"id":"","domain":"d","type":"t","payload":null})");
}

BOOST_AUTO_TEST_CASE(keeps_payload_text_exactly_through_a_round_trip) {
  const evstore::event original = full_event();
  const evstore::event read = evstore::event_from_json(evstore::to_json_line(original));
  BOOST_TEST(read.id == original.id);
  BOOST_TEST(read.domain == original.domain);
  BOOST_TEST(read.type == original.type);
  BOOST_CHECK(read.identifier == original.identifier);
  BOOST_TEST(read.payload_json == original.payload_json);
  BOOST_CHECK(read.meta_json == original.meta_json);
  BOOST_CHECK(read.correlation_id == original.correlation_id);
  BOOST_CHECK(read.causation_id == original.causation_id);
  BOOST_TEST((read.created == original.created));
  BOOST_TEST(read.sequence == original.sequence);
}

BOOST_AUTO_TEST_CASE(multi_line_payloads_become_one_line) {
  evstore::event e = full_event();
  e.payload_json = "{\n  \"a\": [1,\n 2]\n}";
  const std::string line = evstore::to_json_line(e);
  BOOST_TEST(line.find('\n') == std::string::npos);
  BOOST_TEST(evstore::event_from_json(line).payload().at("a").as_array().size() == 2u);
  // Only the line breaks change: numbers a double would round and key order stay as written.
  e.payload_json = "{\"b\": 123456789012345678901234567890,\r\n\"a\": 1.0}";
  BOOST_TEST(evstore::event_from_json(evstore::to_json_line(e)).payload_json ==
             "{\"b\": 123456789012345678901234567890,  \"a\": 1.0}");
}

BOOST_AUTO_TEST_CASE(reads_nulls_escapes_and_whitespace) {
  const evstore::event e = evstore::event_from_json(
      " { \"domain\" : \"d\\u0041\", \"type\":\"t\", \"payload\" : [1, {\"x\":\"]}\"}] ,"
      " \"identifier\": null, \"meta\": null, \"unknown\": {\"k\":1}, \"created\": null } ");
  BOOST_TEST(e.domain == "dA");
  BOOST_TEST(e.payload_json == R"([1, {"x":"]}"}])");
  BOOST_TEST(!e.identifier.has_value());
  BOOST_TEST(!e.meta_json.has_value());
  BOOST_TEST(!e.created.has_value());
  BOOST_TEST(e.id.empty());
}

BOOST_AUTO_TEST_CASE(accepts_other_iso_forms_for_created) {
  const evstore::event e = evstore::event_from_json(
      R"({"domain":"d","type":"t","payload":1,"created":"2024-05-01T14:34:56+02:00"})");
  BOOST_TEST(evstore::format_iso8601(*e.created) == "2024-05-01T12:34:56.000Z");
}

BOOST_AUTO_TEST_CASE(rejects_bad_shapes_with_the_member_named) {
  BOOST_TEST(error_of("not json").find("not valid JSON") != std::string::npos);
  // Boost.JSON reads -0e530 as NaN: refused rather than carried as a value no JSON can hold.
  BOOST_TEST(error_of(R"({"domain":"d","type":"t","payload":[-0e530]})").find("double") !=
             std::string::npos);
  BOOST_TEST(error_of("[1]").find("object") != std::string::npos);
  BOOST_TEST(error_of(R"({"type":"t","payload":1})").find("'domain'") != std::string::npos);
  BOOST_TEST(error_of(R"({"domain":"d","payload":1})").find("'type'") != std::string::npos);
  BOOST_TEST(error_of(R"({"domain":"d","type":"t"})").find("'payload'") != std::string::npos);
  BOOST_TEST(error_of(R"({"domain":1,"type":"t","payload":1})").find("'domain'") !=
             std::string::npos);
  BOOST_TEST(error_of(R"({"domain":"d","type":"t","payload":1,"meta":[1]})").find("'meta'") !=
             std::string::npos);
  BOOST_TEST(error_of(R"({"domain":"d","type":"t","payload":1,"created":"yesterday"})")
                 .find("yesterday") != std::string::npos);
  BOOST_TEST(
      error_of(R"({"domain":"d","type":"t","payload":1,"sequence":-1})").find("'sequence'") !=
      std::string::npos);
  BOOST_TEST(
      error_of(R"({"domain":"d","type":"t","payload":1,"sequence":1.5})").find("'sequence'") !=
      std::string::npos);
  BOOST_TEST(error_of(R"({"domain":"d","domain":"e","type":"t","payload":1})").find("twice") !=
             std::string::npos);
  BOOST_TEST(error_of("{\"domain\":\"\xff\",\"type\":\"t\",\"payload\":1}").find("UTF-8") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(payload_and_meta_parse_on_demand) {
  evstore::event e = full_event();
  BOOST_TEST(e.meta().at("user").as_string() == "u1");
  e.set_payload(boost::json::value{{"k", 2}});
  BOOST_TEST(e.payload_json == R"({"k":2})");
  e.payload_json = "{broken";
  BOOST_CHECK_THROW(e.payload(), boost::system::system_error);
  e.meta_json.reset();
  BOOST_TEST(e.meta().empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
