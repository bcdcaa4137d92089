// Scan: the request body (parallel segments, filter, projection, paging) and the response.
#include <boost/test/unit_test.hpp>

#include <boost/json/parse.hpp>

#include "evstore/dynamodb/error.hpp"
#include "evstore/dynamodb/scan.hpp"

BOOST_AUTO_TEST_SUITE(scan)

namespace ddb = evstore::dynamodb;

namespace {

void check_invalid(const ddb::scan_request& request) {
  try {
    (void)ddb::to_body(request);
    BOOST_FAIL("expected invalid_request");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == ddb::errc::invalid_request);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dynamodb_scan)

BOOST_AUTO_TEST_CASE(a_segment_page_with_filter_and_projection) {
  ddb::scan_request request;
  request.table_name = "events";
  request.filter_expression = "attribute_not_exists(#s)";
  request.projection_expression = "id, created";
  request.names = {{"#s", "stream"}};
  request.limit = 50;
  request.exclusive_start_key =
      ddb::item{{"id", ddb::attribute_value::string("EventID#a")},
                {"created", ddb::attribute_value::string("2024-01-01T00:00:00.000Z")}};
  request.segment = 2;
  request.total_segments = 4;
  const boost::json::value expected = boost::json::parse(R"json({
    "TableName": "events", "FilterExpression": "attribute_not_exists(#s)",
    "ProjectionExpression": "id, created", "ExpressionAttributeNames": {"#s": "stream"},
    "Limit": 50,
    "ExclusiveStartKey": {"id": {"S": "EventID#a"}, "created": {"S": "2024-01-01T00:00:00.000Z"}},
    "Segment": 2, "TotalSegments": 4})json");
  BOOST_TEST(boost::json::parse(ddb::to_body(request)) == expected);
}

BOOST_AUTO_TEST_CASE(bad_requests_are_refused_before_sending) {
  ddb::scan_request request;
  check_invalid(request);  // no table
  request.table_name = "t";
  request.segment = 0;
  check_invalid(request);  // a segment without a total
  request.total_segments = 0;
  check_invalid(request);
  request.total_segments = 2;
  request.segment = 2;
  check_invalid(request);
  request.segment = 1;
  request.limit = 0;
  check_invalid(request);
  request.limit = 1;
  BOOST_TEST(!ddb::to_body(request).empty());
}

BOOST_AUTO_TEST_CASE(a_page_parses_and_a_wrong_count_is_malformed) {
  const auto result = ddb::parse_scan_result(
      R"({"Items":[{"id":{"S":"a"}},{"id":{"S":"b"}}],"Count":2,"ScannedCount":7,
          "LastEvaluatedKey":{"id":{"S":"b"}}})");
  BOOST_TEST(result.items.size() == 2u);
  BOOST_TEST(result.scanned_count == 7);
  BOOST_TEST_REQUIRE(result.last_evaluated_key.has_value());
  BOOST_TEST(result.last_evaluated_key->at("id").as_string() == "b");
  const auto last = ddb::parse_scan_result(R"({"Items":[],"Count":0,"ScannedCount":3})");
  BOOST_TEST(!last.last_evaluated_key.has_value());
  try {
    (void)ddb::parse_scan_result(R"({"Items":[{"id":{"S":"a"}}],"Count":2,"ScannedCount":2})");
    BOOST_FAIL("expected malformed_response");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == ddb::errc::malformed_response);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
