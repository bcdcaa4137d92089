// Responses that are not what DynamoDB sends: each parse must fail with an error naming what
// was wrong, never crash or return a default.
#include <boost/test/unit_test.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/items.hpp"
#include "evstore/dynamodb/query.hpp"
#include "evstore/dynamodb/tables.hpp"
#include "evstore/dynamodb/transact_write_items.hpp"
#include "recorded.hpp"

BOOST_AUTO_TEST_SUITE(malformed)

namespace ddb = evstore::dynamodb;
using ddb::errc;
using ddb::test::check_error;

BOOST_AUTO_TEST_CASE(not_json) {
  const std::string truncated = ddb::test::recorded_body("query_page").substr(0, 100);
  check_error([&] { (void)ddb::parse_query_result(truncated); }, errc::malformed_response,
              "Query response body is not JSON");
  check_error([] { (void)ddb::parse_get_item_result(""); }, errc::malformed_response,
              "GetItem response body is not JSON");
  check_error([] { (void)ddb::parse_put_item_result("<html></html>"); }, errc::malformed_response,
              "PutItem response body is not JSON");
  check_error([] { (void)ddb::parse_get_item_result("[]"); }, errc::malformed_response,
              "GetItem: expected an object, found an array");
  check_error([] { (void)ddb::parse_get_item_result("{} {}"); }, errc::malformed_response,
              "not JSON");
}

BOOST_AUTO_TEST_CASE(wrong_types_and_missing_members) {
  struct bad_case {
    std::string_view body;
    errc code;
    std::string_view message;
  };
  const auto query = [](std::string_view body) { (void)ddb::parse_query_result(body); };
  const bad_case query_cases[] = {
      {R"({"Count":0})", errc::malformed_response, "Query: missing member \"ScannedCount\""},
      {R"({"Items":[],"ScannedCount":0})", errc::malformed_response, "missing member \"Count\""},
      {R"({"Items":{},"Count":0,"ScannedCount":0})", errc::malformed_response,
       "Query.Items: expected an array, found an object"},
      {R"({"Items":[1],"Count":1,"ScannedCount":1})", errc::malformed_response,
       "Query.Items[0]: expected an object, found a number"},
      {R"({"Items":[{"a":{"S":1}}],"Count":1,"ScannedCount":1})", errc::invalid_attribute,
       "Query.Items[0].a.S: expected a string for S"},
      {R"({"Items":[],"Count":-1,"ScannedCount":0})", errc::malformed_response,
       "Query.Count: expected a non-negative integer"},
      {R"({"Items":[],"Count":"0","ScannedCount":0})", errc::malformed_response,
       "Query.Count: expected a non-negative integer, found a string"},
      {R"({"Items":[],"Count":2,"ScannedCount":2})", errc::malformed_response,
       "Count 2 differs from the 0 items"},
      {R"({"Items":[],"Count":0,"ScannedCount":0,"LastEvaluatedKey":"k"})",
       errc::malformed_response, "Query.LastEvaluatedKey: expected an object, found a string"},
      {R"({"Items":[],"Count":0,"ScannedCount":0,"ConsumedCapacity":{"CapacityUnits":1}})",
       errc::malformed_response, "Query.ConsumedCapacity: missing member \"TableName\""},
      {R"({"Items":[],"Count":0,"ScannedCount":0,"ConsumedCapacity":{"TableName":"t","CapacityUnits":"1"}})",
       errc::malformed_response, "Query.ConsumedCapacity.CapacityUnits: expected a number"},
  };
  for (const auto& c : query_cases) {
    BOOST_TEST_CONTEXT(c.body) {
      check_error([&] { query(c.body); }, c.code, c.message);
    }
  }

  check_error([] { (void)ddb::parse_get_item_result(R"({"Item":[]})"); }, errc::malformed_response,
              "GetItem.Item: expected an object, found an array");
  check_error([] { (void)ddb::parse_update_item_result(R"({"Attributes":{"a":{"N":"1.2.3"}}})"); },
              errc::invalid_attribute, "UpdateItem.Attributes.a.N: N is not a decimal number");
  check_error([] { (void)ddb::parse_batch_get_item_result("{}"); }, errc::malformed_response,
              "BatchGetItem: missing member \"Responses\"");
  check_error([] { (void)ddb::parse_batch_get_item_result(R"({"Responses":{"t":{}}})"); },
              errc::malformed_response, "BatchGetItem.Responses.t: expected an array");
  check_error(
      [] {
        (void)ddb::parse_batch_get_item_result(
            R"({"Responses":{},"UnprocessedKeys":{"t":{"ConsistentRead":true}}})");
      },
      errc::malformed_response, "BatchGetItem.UnprocessedKeys.t: missing member \"Keys\"");
  check_error([] { (void)ddb::parse_transact_write_items_result(R"({"ConsumedCapacity":{}})"); },
              errc::malformed_response, "TransactWriteItems.ConsumedCapacity: expected an array");
  check_error([] { (void)ddb::parse_describe_table_result(R"({"Table":{"TableName":"t"}})"); },
              errc::malformed_response, "DescribeTable.Table: missing member \"TableStatus\"");
  check_error([] { (void)ddb::parse_describe_table_result(R"({"TableDescription":{}})"); },
              errc::malformed_response, "DescribeTable: missing member \"Table\"");
  check_error(
      [] {
        (void)ddb::parse_create_table_result(
            R"({"TableDescription":{"TableName":"t","TableStatus":"ACTIVE",)"
            R"("KeySchema":[{"AttributeName":"pk","KeyType":"PRIMARY"}]}})");
      },
      errc::malformed_response,
      "CreateTable.TableDescription.KeySchema[0].KeyType: unexpected value \"PRIMARY\"");
  check_error(
      [] {
        (void)ddb::parse_update_table_result(
            R"({"TableDescription":{"TableName":"t","TableStatus":"ACTIVE",)"
            R"("GlobalSecondaryIndexes":[{"IndexName":"g","KeySchema":[]}]}})");
      },
      errc::malformed_response,
      "UpdateTable.TableDescription.GlobalSecondaryIndexes[0]: missing member \"IndexStatus\"");
}

BOOST_AUTO_TEST_CASE(null_members_count_as_absent) {
  const auto result = ddb::parse_get_item_result(R"({"Item":null,"ConsumedCapacity":null})");
  BOOST_TEST(!result.item.has_value());
  BOOST_TEST(!result.consumed_capacity.has_value());
}

BOOST_AUTO_TEST_CASE(deep_nesting_is_bounded) {
  // DynamoDB nests at most 32 levels; a hostile body nested far deeper is refused, not a stack
  // overflow.
  std::string body = R"({"Item":{"a":)";
  for (int i = 0; i < 1000; ++i) body += R"({"L":[)";
  body += R"({"S":"x"})";
  for (int i = 0; i < 1000; ++i) body += "]}";
  body += "}}";
  check_error([&] { (void)ddb::parse_get_item_result(body); }, errc::malformed_response,
              "not JSON");
  check_error(
      [&] { (void)ddb::from_document_text(std::string(1000, '[') + std::string(1000, ']')); },
      errc::invalid_attribute, "invalid JSON document");
}

BOOST_AUTO_TEST_SUITE_END()
