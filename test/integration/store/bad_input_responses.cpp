// Bad input from the server: a repo whose DynamoDB endpoint is an in-process server answering
// every request with one scripted response. Malformed JSON, wrong types, missing members, huge
// numbers, invalid UTF-8, deep nesting, oversized bodies and items off the table layout each
// end in an error of the right category naming what was wrong; none crashes or returns a
// default. (Finding those shapes in the real parsers is the fuzzers' job; this checks that
// the repo passes them on as clear errors.)

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "dynamodb/crc32.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/http/error.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "integration/store/store_fixture.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(bad_input_responses)

namespace ddb = evstore::dynamodb;
namespace http = evstore::http;
using evstore::store_errc;
using namespace std::chrono_literals;

namespace {

http::response dynamodb_answer(unsigned status, std::string body) {
  http::response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  res.headers.push_back({"x-amz-crc32", std::to_string(ddb::crc32(body))});
  res.body = std::move(body);
  return res;
}

/// A Query page holding the one item `item_json` (DynamoDB wire form).
std::string query_page(const std::string& item_json) {
  return R"({"Items":[)" + item_json + R"(],"Count":1,"ScannedCount":1})";
}

/// An event item of the shared layout with `override_json` members appended (a later member
/// of the same name wins in the parser, so they replace the defaults).
std::string event_item(const std::string& override_json = "") {
  std::string item =
      R"({"id":{"S":"EventID#e1"},"created":{"S":"2024-05-01T12:00:00.000Z"},)"
      R"("timeBucket":{"S":"2024-05"},"domain":{"S":"order"},"type":{"S":"placed"},)"
      R"("identifier":{"S":"o-1"},"payload":{"S":"{\"total\":5}"},"sequence":{"N":"1"})";
  if (!override_json.empty()) item += "," + override_json;
  return item + "}";
}

struct scripted_dynamodb {
  scripted_dynamodb() {
    evstore::aws::config config = evstore::test::local_config();
    config.service_endpoint_urls["dynamodb"] = server.url();
    evstore::repo_options options;
    options.table_name_prefix = "bad-input-";
    options.s3_bucket_name = "evstore-bad-input-unused";
    options.max_attempts = 2;
    options.request_timeout = 10s;
    store.emplace(io.get_executor(), config, options);
  }

  void answer(http::response res) {
    const std::lock_guard lock(mutex);
    scripted = std::move(res);
  }

  /// get_event_by_id("e1") against the scripted answer; the error it throws.
  boost::system::system_error read_failure() {
    try {
      const auto found = evstore::test::run_for(io, store->get_event_by_id("e1"), 60s);
      BOOST_ERROR("get_event_by_id returned " << (found ? "an event" : "nothing")
                                              << " instead of failing");
    } catch (const boost::system::system_error& error) {
      return error;
    }
    return boost::system::system_error(boost::system::error_code{}, "no error");
  }

  void check_read_fails(const std::string& body, boost::system::error_code expected,
                        std::string_view named) {
    answer(dynamodb_answer(200, body));
    const boost::system::system_error error = read_failure();
    BOOST_TEST(error.code() == expected, error.code().message() << ": " << error.what());
    BOOST_TEST(std::string_view(error.what()).find(named) != std::string_view::npos,
               "'" << error.what() << "' does not name '" << named << "'");
  }

  std::mutex mutex;
  http::response scripted = dynamodb_answer(500, R"({"__type":"x#NotScripted"})");
  evstore::test::local_http_server server{[this](const http::request&) {
    const std::lock_guard lock(mutex);
    return scripted;
  }};
  boost::asio::io_context io;
  std::optional<evstore::repo> store;
};

boost::system::error_code ddb_code(ddb::errc e) {
  return ddb::make_error_code(e);
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_bad_input_responses, scripted_dynamodb)

BOOST_AUTO_TEST_CASE(malformed_json_is_named) {
  const auto malformed = ddb_code(ddb::errc::malformed_response);
  check_read_fails("", malformed, "Query response body is not JSON");
  check_read_fails("<html>busy</html>", malformed, "Query response body is not JSON");
  check_read_fails(query_page(event_item()).substr(0, 60), malformed, "not JSON");
  check_read_fails(R"({"Items":[],"Count":0,"ScannedCount":0} trailing)", malformed, "not JSON");
  check_read_fails("[]", malformed, "Query: expected an object, found an array");
}

BOOST_AUTO_TEST_CASE(wrong_types_and_missing_members_are_named) {
  const auto malformed = ddb_code(ddb::errc::malformed_response);
  check_read_fails(R"({"Count":0})", malformed, "missing member \"ScannedCount\"");
  check_read_fails(R"({"Items":{},"Count":0,"ScannedCount":0})", malformed,
                   "Query.Items: expected an array");
  check_read_fails(R"({"Items":["x"],"Count":1,"ScannedCount":1})", malformed,
                   "Query.Items[0]: expected an object");
  check_read_fails(R"({"Items":[],"Count":"1","ScannedCount":0})", malformed,
                   "Query.Count: expected a non-negative integer");
  check_read_fails(query_page(R"({"id":{"S":["EventID#e1"]}})"),
                   ddb_code(ddb::errc::invalid_attribute), "Query.Items[0].id.S");
}

BOOST_AUTO_TEST_CASE(huge_numbers_are_refused) {
  const auto malformed = ddb_code(ddb::errc::malformed_response);
  check_read_fails(R"({"Items":[],"Count":18446744073709551616,"ScannedCount":0})", malformed,
                   "Query.Count");
  check_read_fails(R"({"Items":[],"Count":1e999,"ScannedCount":0})", malformed, "Query");
  check_read_fails(query_page(event_item(R"("sequence":{"N":"99999999999999999999999"})")),
                   evstore::make_error_code(store_errc::corrupt_item),
                   "'sequence' is not a non-negative integer");
  check_read_fails(query_page(event_item(R"("sequence":{"N":"-1"})")),
                   evstore::make_error_code(store_errc::corrupt_item),
                   "'sequence' is not a non-negative integer");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused) {
  check_read_fails(query_page(event_item("\"type\":{\"S\":\"pl\xff\xfe"
                                         "ced\"}")),
                   ddb_code(ddb::errc::malformed_response), "not JSON");
  check_read_fails(query_page(event_item("\"type\":{\"S\":\"\xc0\xaf\"}")),
                   ddb_code(ddb::errc::malformed_response), "not JSON");
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_without_a_stack_overflow) {
  std::string meta = R"("meta":)";
  for (int i = 0; i < 5000; ++i) meta += R"({"M":{"a":)";
  meta += R"({"S":"x"})";
  for (int i = 0; i < 5000; ++i) meta += "}}";
  check_read_fails(query_page(event_item(meta)), ddb_code(ddb::errc::malformed_response),
                   "not JSON");
}

BOOST_AUTO_TEST_CASE(an_oversized_body_is_refused) {
  // Past the client's 64 MiB response limit; the body is never held whole.
  const std::string body = R"({"Items":[],"Count":0,"ScannedCount":0,"Padding":")" +
                           std::string(65 * 1024 * 1024, 'p') + "\"}";
  check_read_fails(body, http::make_error_code(http::errc::response_too_large), "exceeds");
}

BOOST_AUTO_TEST_CASE(items_off_the_layout_are_corrupt_items_naming_the_attribute) {
  const auto corrupt = evstore::make_error_code(store_errc::corrupt_item);
  check_read_fails(query_page(event_item(R"("created":{"S":"yesterday"})")), corrupt,
                   "'created' is not an ISO-8601 time: 'yesterday'");
  check_read_fails(query_page(event_item(R"("created":{"S":"2024-13-45T99:00:00Z"})")), corrupt,
                   "'created' is not an ISO-8601 time");
  check_read_fails(query_page(event_item(R"("created":{"N":"1714564800000"})")), corrupt,
                   "attribute 'created' is not a string");
  check_read_fails(
      query_page(R"({"id":{"S":"EventID#e1"},"created":{"S":"2024-05-01T12:00:00Z"}})"), corrupt,
      "attribute 'domain' is missing");
  check_read_fails(query_page(event_item(R"("id":{"S":"e1"})")), corrupt,
                   "'id' does not start with EventID#");
  check_read_fails(query_page(event_item(R"("meta":{"S":"{}"})")), corrupt, "'meta' is not a map");
  check_read_fails(query_page(event_item(R"("s3Reference":{"S":"no-separator"})")), corrupt,
                   "'s3Reference' is not of the form <bucket>::<key>");
}

BOOST_AUTO_TEST_CASE(an_unparsable_payload_is_named_when_read) {
  // Readers hand payload text on as JSON: an item whose payload is not is corrupt, never an event.
  answer(dynamodb_answer(200, query_page(event_item(R"("payload":{"S":"{\"total\":"})"))));
  try {
    (void)evstore::test::run_for(io, store->get_event_by_id("e1"), 60s);
    BOOST_ERROR("an item with an unparsable payload was read as an event");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST(error.code() == evstore::make_error_code(store_errc::corrupt_item));
    BOOST_TEST(std::string_view(error.what()).find("'EventID#e1'") != std::string_view::npos,
               error.what());
    BOOST_TEST(
        std::string_view(error.what()).find("'payload' is not JSON text") != std::string_view::npos,
        error.what());
  }
}

BOOST_AUTO_TEST_CASE(an_error_response_with_a_malformed_body_names_the_status) {
  answer(dynamodb_answer(400, "not json"));
  const boost::system::system_error error = read_failure();
  BOOST_TEST(error.code() != boost::system::error_code{});
  BOOST_TEST(std::string_view(error.what()).find("400") != std::string_view::npos, error.what());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
