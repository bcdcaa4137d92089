#include <boost/test/unit_test.hpp>

#include "dynamodb/protocol.hpp"
#include "recorded.hpp"

BOOST_AUTO_TEST_SUITE(protocol)

namespace ddb = evstore::dynamodb;
using ddb::test::check_error;
using ddb::test::recorded_response;

namespace {

evstore::http::response error_response(unsigned status, std::string body) {
  evstore::http::response response;
  response.status = status;
  response.headers = {{"x-amzn-RequestId", "REQ-1"}};
  response.body = std::move(body);
  return response;
}

}  // namespace

BOOST_AUTO_TEST_CASE(http_request) {
  const auto req = ddb::make_http_request("GetItem", R"({"TableName":"t"})");
  BOOST_TEST(req.method == "POST");
  BOOST_TEST(req.target == "/");
  BOOST_TEST(evstore::http::find_header(req.headers, "content-type") ==
             "application/x-amz-json-1.0");
  BOOST_TEST(evstore::http::find_header(req.headers, "x-amz-target") ==
             "DynamoDB_20120810.GetItem");
  BOOST_TEST(req.body == R"({"TableName":"t"})");
}

BOOST_AUTO_TEST_CASE(crc32_header) {
  auto response = recorded_response("get_item");
  BOOST_TEST(ddb::crc32_matches(response));
  ddb::check_crc32(response, "GetItem");
  response.body[10] = 'X';
  BOOST_TEST(!ddb::crc32_matches(response));
  check_error([&] { ddb::check_crc32(response, "GetItem"); }, ddb::errc::crc32_mismatch,
              "DynamoDB GetItem: the response body");
  for (const char* header : {"", " 1", "abc", "4294967296", "-1"}) {
    evstore::http::response r;
    r.body = "{}";
    if (*header) r.headers = {{"x-amz-crc32", header}};
    // Absent: nothing to check; anything else that is not the CRC: a mismatch.
    BOOST_TEST(ddb::crc32_matches(r) == (*header == '\0'), "header \"" << header << '"');
  }
}

BOOST_AUTO_TEST_CASE(conditional_check_failed_recorded) {
  const auto response = recorded_response("error_conditional_check_failed");
  BOOST_TEST(ddb::read_error_code(response) == "ConditionalCheckFailedException");
  auto with_id = response;
  with_id.headers.push_back({"x-amzn-RequestId", "abc-123"});
  const ddb::service_error e = ddb::parse_service_error(with_id);
  BOOST_TEST(e.code() == ddb::make_error_code(ddb::errc::conditional_check_failed));
  BOOST_TEST(e.code_name() == "ConditionalCheckFailedException");
  BOOST_TEST(e.service_message() == "The conditional request failed");
  BOOST_TEST(e.http_status() == 400u);
  BOOST_TEST(e.request_id() == "abc-123");
  BOOST_TEST(!e.retryable());
  BOOST_TEST(e.cancellation_reasons().empty());
  BOOST_TEST(std::string(e.what()) ==
             "DynamoDB ConditionalCheckFailedException (HTTP 400, request id abc-123): The "
             "conditional request failed");
}

BOOST_AUTO_TEST_CASE(conditional_check_failed_with_item_recorded) {
  const auto e = ddb::parse_service_error(recorded_response("error_conditional_check_failed_item"));
  BOOST_TEST(e.code() == ddb::make_error_code(ddb::errc::conditional_check_failed));
  BOOST_TEST_REQUIRE(e.old_item().has_value());
  BOOST_TEST(e.old_item()->at("kind").as_string() == "created");
  BOOST_TEST(e.old_item()->at("big").as_number_text() == "12345678901234567890123456789012345678");
  BOOST_TEST(!ddb::parse_service_error(recorded_response("error_conditional_check_failed"))
                  .old_item()
                  .has_value());
}

BOOST_AUTO_TEST_CASE(lowercase_message_variant) {
  // Real DynamoDB writes `message`; DynamoDB Local writes `Message`.
  const auto e = ddb::parse_service_error(error_response(
      400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
           R"("message":"The conditional request failed"})"));
  BOOST_TEST(e.code_name() == "ConditionalCheckFailedException");
  BOOST_TEST(e.service_message() == "The conditional request failed");
  BOOST_TEST(e.request_id() == "REQ-1");
}

BOOST_AUTO_TEST_CASE(other_recorded_errors) {
  const auto validation = ddb::parse_service_error(recorded_response("error_validation"));
  BOOST_TEST(validation.code_name() == "ValidationException");  // com.amazon.coral.validate#
  BOOST_TEST(validation.code() == ddb::make_error_code(ddb::errc::validation_error));
  BOOST_TEST(validation.service_message() == "Query condition missed key schema element");
  BOOST_TEST(!validation.retryable());

  const auto missing = ddb::parse_service_error(recorded_response("error_resource_not_found"));
  BOOST_TEST(missing.code() == ddb::make_error_code(ddb::errc::resource_not_found));
  BOOST_TEST(ddb::read_error_code(recorded_response("error_resource_not_found")) ==
             "ResourceNotFoundException");
}

BOOST_AUTO_TEST_CASE(transaction_cancelled_recorded) {
  const auto e = ddb::parse_service_error(recorded_response("error_transaction_canceled"));
  BOOST_TEST(e.code() == ddb::make_error_code(ddb::errc::transaction_canceled));
  BOOST_TEST(!e.retryable());
  const auto& reasons = e.cancellation_reasons();
  BOOST_TEST_REQUIRE(reasons.size() == 3u);
  BOOST_TEST(reasons[0].code == "None");
  BOOST_TEST(reasons[0].message.empty());
  BOOST_TEST(!reasons[0].item.has_value());
  BOOST_TEST(reasons[1].code == "ConditionalCheckFailed");
  BOOST_TEST(reasons[1].message == "The conditional request failed");
  BOOST_TEST_REQUIRE(reasons[1].item.has_value());  // asked with ALL_OLD
  BOOST_TEST(reasons[1].item->at("kind").as_string() == "renamed");
  BOOST_TEST(reasons[2].code == "ConditionalCheckFailed");
  BOOST_TEST(!reasons[2].item.has_value());
}

BOOST_AUTO_TEST_CASE(retryable_classification) {
  const auto cancelled = [](const char* reasons) {
    return ddb::parse_service_error(error_response(
        400, std::string(R"({"__type":"x#TransactionCanceledException","CancellationReasons":)") +
                 reasons + "}"));
  };
  BOOST_TEST(cancelled(R"([{"Code":"None"},{"Code":"TransactionConflict"}])").retryable());
  BOOST_TEST(cancelled(R"([{"Code":"ThrottlingError"}])").retryable());
  BOOST_TEST(!cancelled(R"([{"Code":"TransactionConflict"},{"Code":"ConditionalCheckFailed"}])")
                  .retryable());
  BOOST_TEST(!cancelled(R"([{"Code":"None"}])").retryable());
  for (const char* code :
       {"ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "InternalServerError", "TransactionInProgressException", "TransactionConflictException",
        "LimitExceededException"}) {
    BOOST_TEST(ddb::is_retryable_code_name(code), code);
  }
  for (const char* code : {"ConditionalCheckFailedException", "ValidationException",
                           "ResourceNotFoundException", "AccessDeniedException", "Whatever"}) {
    BOOST_TEST(!ddb::is_retryable_code_name(code), code);
  }
  BOOST_TEST(ddb::parse_service_error(error_response(503, "<html>busy</html>")).retryable());
}

BOOST_AUTO_TEST_CASE(bodies_that_are_not_dynamodb_errors) {
  const auto html = error_response(502, "<html>Bad Gateway</html>");
  BOOST_TEST(ddb::read_error_code(html) == "");
  const auto e = ddb::parse_service_error(html);
  BOOST_TEST(e.code_name() == "");
  BOOST_TEST(e.code() == ddb::make_error_code(ddb::errc::other_service_error));
  BOOST_TEST(e.http_status() == 502u);
  BOOST_TEST(e.service_message().find("not a JSON object") != std::string::npos);

  const auto no_type = ddb::parse_service_error(error_response(400, R"({"message":"hm"})"));
  BOOST_TEST(no_type.service_message().find("no __type") != std::string::npos);

  // A code without the namespace prefix is taken whole.
  BOOST_TEST(ddb::read_error_code(error_response(400, R"({"__type":"ThrottlingException"})")) ==
             "ThrottlingException");

  // Unreadable reasons: the error stays, and says what was wrong with them.
  const auto odd = ddb::parse_service_error(
      error_response(400, R"({"__type":"x#TransactionCanceledException","Message":"m",)"
                          R"("CancellationReasons":[{"Code":7}]})"));
  BOOST_TEST(odd.code() == ddb::make_error_code(ddb::errc::transaction_canceled));
  BOOST_TEST(odd.cancellation_reasons().empty());
  BOOST_TEST(odd.service_message().find("CancellationReasons[0].Code: expected a string") !=
                 std::string::npos,
             odd.service_message());

  // A corrupted error body gives no code: the status decides retries.
  auto corrupted = recorded_response("error_conditional_check_failed");
  corrupted.headers.push_back({"x-amz-crc32", "1"});
  BOOST_TEST(ddb::read_error_code(corrupted) == "");
}

BOOST_AUTO_TEST_SUITE_END()
