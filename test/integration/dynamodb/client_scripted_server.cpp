// dynamodb::client over the aws service client against an in-process server scripted per
// request: the JSON 1.0 protocol headers, x-amz-crc32 retries, error responses, retries by
// error code, malformed bodies and the waiters' polling.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <deque>
#include <mutex>

#include <boost/asio/io_context.hpp>

#include "dynamodb/crc32.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/dynamodb/client.hpp"
#include "evstore/http/endpoint.hpp"
#include "support/local_http_server.hpp"
#include "support/run_awaitable.hpp"

BOOST_AUTO_TEST_SUITE(client_scripted_server)

namespace ddb = evstore::dynamodb;
namespace aws = evstore::aws;
namespace http = evstore::http;
using ddb::errc;
using namespace std::chrono_literals;

namespace {

http::response json_response(unsigned status, std::string body, bool with_crc = true) {
  http::response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  res.headers.push_back({"x-amzn-RequestId", "RID-" + std::to_string(status)});
  if (with_crc) res.headers.push_back({"x-amz-crc32", std::to_string(ddb::crc32(body))});
  res.body = std::move(body);
  return res;
}

http::response corrupted(std::string body) {
  http::response res = json_response(200, body);
  res.body.back() = body.back() == '}' ? ' ' : '}';  // same length, other bytes
  return res;
}

// Answers the queued responses in order; records what it received.
struct scripted {
  std::mutex mutex;
  std::deque<http::response> answers;
  std::vector<http::request> received;
  evstore::test::local_http_server server{[this](const http::request& req) {
    std::lock_guard lock(mutex);
    received.push_back(req);
    if (answers.empty()) return json_response(500, R"({"__type":"x#NoScriptedAnswer"})");
    http::response res = std::move(answers.front());
    answers.pop_front();
    return res;
  }};
  boost::asio::io_context io;
  ddb::client ddb{make_service_client()};

  aws::service_client make_service_client() {
    aws::credentials creds;
    creds.access_key_id = "AKIDEXAMPLE";
    creds.secret_access_key = "not-a-secret";
    aws::service_client_options options;
    options.retry.base_delay = 1ms;
    options.retry.throttling_base_delay = 1ms;
    return aws::service_client{io.get_executor(),
                               http::endpoint::parse(server.url()),
                               "us-east-1",
                               "dynamodb",
                               aws::make_static_credentials_provider(io.get_executor(), creds),
                               options};
  }

  void answer(http::response res) {
    std::lock_guard lock(mutex);
    answers.push_back(std::move(res));
  }
  std::size_t requests() {
    std::lock_guard lock(mutex);
    return received.size();
  }

  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return evstore::test::run_awaitable(io, std::move(task));
  }
};

const char* const active_table =
    R"({"Table":{"TableName":"t","TableStatus":"ACTIVE","GlobalSecondaryIndexes":[)"
    R"({"IndexName":"g","IndexStatus":"ACTIVE","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}]}]}})";

std::string table_with(const char* table_status, const char* index_status) {
  return std::string(R"({"Table":{"TableName":"t","TableStatus":")") + table_status +
         R"(","GlobalSecondaryIndexes":[{"IndexName":"g","IndexStatus":")" + index_status +
         R"(","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}]}]}})";
}

const ddb::item key{{"pk", ddb::attribute_value::string("a")}};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(client_scripted_server, scripted)

BOOST_AUTO_TEST_CASE(protocol_headers) {
  answer(json_response(200, R"({"Item":{"pk":{"S":"a"}}})"));
  const auto got = run(ddb.get_item({.table_name = "t", .key = key, .consistent_read = true}));
  BOOST_TEST(got.item.value().at("pk").as_string() == "a");
  BOOST_TEST_REQUIRE(requests() == 1u);
  const http::request& req = received[0];
  BOOST_TEST(req.method == "POST");
  BOOST_TEST(req.target == "/");
  BOOST_TEST(http::find_header(req.headers, "Content-Type") == "application/x-amz-json-1.0");
  BOOST_TEST(http::find_header(req.headers, "X-Amz-Target") == "DynamoDB_20120810.GetItem");
  BOOST_TEST(http::find_header(req.headers, "Authorization").starts_with("AWS4-HMAC-SHA256 "));
  BOOST_TEST(req.body == R"({"TableName":"t","Key":{"pk":{"S":"a"}},"ConsistentRead":true})");
}

BOOST_AUTO_TEST_CASE(corrupted_body_is_sent_again) {
  answer(corrupted(R"({"Item":{"pk":{"S":"a"}}})"));
  answer(json_response(200, R"({"Item":{"pk":{"S":"a"}}})"));
  const auto got = run(ddb.get_item({.table_name = "t", .key = key}));
  BOOST_TEST(got.item.has_value());
  BOOST_TEST(requests() == 2u);
  BOOST_TEST(received[0].body == received[1].body);
}

BOOST_AUTO_TEST_CASE(always_corrupted_gives_up) {
  for (int i = 0; i < 3; ++i) answer(corrupted("{}"));
  try {
    run(ddb.get_item({.table_name = "t", .key = key}));
    BOOST_FAIL("no error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::crc32_mismatch), e.what());
    BOOST_TEST(std::string(e.what()).find("DynamoDB GetItem") != std::string::npos, e.what());
  }
  BOOST_TEST(requests() == 3u);  // the service client's attempts (retry_options::max_attempts)
}

BOOST_AUTO_TEST_CASE(error_response_becomes_service_error) {
  answer(json_response(
      400,
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
      R"("message":"The conditional request failed"})",
      false));
  try {
    run(ddb.put_item(
        {.table_name = "t", .item = key, .condition_expression = "attribute_not_exists(pk)"}));
    BOOST_FAIL("no error");
  } catch (const ddb::service_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::conditional_check_failed));
    BOOST_TEST(e.service_message() == "The conditional request failed");
    BOOST_TEST(e.request_id() == "RID-400");
    BOOST_TEST(e.http_status() == 400u);
  }
  BOOST_TEST(requests() == 1u);  // not retried
}

BOOST_AUTO_TEST_CASE(throttling_is_retried_by_the_service_client) {
  answer(json_response(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException",)"
                            R"("message":"Rate exceeded"})"));
  answer(json_response(200, "{}"));
  const auto got = run(ddb.get_item({.table_name = "t", .key = key}));
  BOOST_TEST(!got.item.has_value());
  BOOST_TEST(requests() == 2u);
}

BOOST_AUTO_TEST_CASE(malformed_success_body) {
  answer(json_response(200, R"({"Items":"nope","Count":0,"ScannedCount":0})"));
  try {
    run(ddb.query({.table_name = "t",
                   .key_condition_expression = "pk = :a",
                   .values = {{":a", ddb::attribute_value::string("a")}}}));
    BOOST_FAIL("no error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::malformed_response));
    BOOST_TEST(std::string(e.what()).find("Query.Items: expected an array") != std::string::npos,
               e.what());
  }
}

/// Counts the items and attributes a BatchGetItem answer hands over.
class counting_visitor final : public ddb::batch_get_item_visitor {
 public:
  std::size_t items = 0;
  std::vector<std::string> names;
  void on_item_begin() override { ++items; }
  bool on_attribute(std::string_view name) override {
    names.emplace_back(name);
    return true;
  }
  void on_value(ddb::attribute_value) override {}
  void on_item_end() override {}
};

BOOST_AUTO_TEST_CASE(batch_get_item_hands_items_to_a_visitor) {
  const std::string body = R"({"Responses":{"t":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}]},)"
                           R"("UnprocessedKeys":{"t":{"Keys":[{"pk":{"S":"c"}}]}},)"
                           R"("ConsumedCapacity":[{"TableName":"t","CapacityUnits":1.5}]})";
  answer(corrupted(body));
  answer(json_response(200, body));
  ddb::batch_get_item_request request;
  request.request_items["t"].keys = {key};
  request.return_consumed_capacity = ddb::return_consumed_capacity::total;
  counting_visitor visitor;
  const ddb::batch_get_item_remainder rest = run(ddb.batch_get_item(request, visitor));
  // The damaged answer was sent again before any item was handed over.
  BOOST_TEST(requests() == 2u);
  BOOST_TEST(visitor.items == 2u);
  BOOST_TEST(visitor.names.size() == 2u);
  BOOST_TEST_REQUIRE(rest.unprocessed_keys.size() == 1u);
  BOOST_TEST(rest.unprocessed_keys[0].at("pk").as_string() == "c");
  BOOST_TEST(rest.consumed_capacity_units == 1.5);
  BOOST_TEST(ddb.service().metrics().snapshot().consumed_capacity_units == 1.5);
  BOOST_TEST(
      received[0].body ==
      R"({"RequestItems":{"t":{"Keys":[{"pk":{"S":"a"}}]}},"ReturnConsumedCapacity":"TOTAL"})");
}

BOOST_AUTO_TEST_CASE(batch_get_item_for_a_visitor_reads_one_table) {
  ddb::batch_get_item_request request;
  request.request_items["t"].keys = {key};
  request.request_items["u"].keys = {key};
  counting_visitor visitor;
  try {
    run(ddb.batch_get_item(request, visitor));
    BOOST_FAIL("no error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::invalid_request), e.what());
  }
  BOOST_TEST(requests() == 0u);
  // An error answer is the service's error, not an empty read.
  request.request_items.erase("u");
  answer(json_response(400, R"({"__type":"x#ResourceNotFoundException","message":"no table"})"));
  BOOST_CHECK_THROW(run(ddb.batch_get_item(request, visitor)), ddb::service_error);
  BOOST_TEST(visitor.items == 0u);
}

BOOST_AUTO_TEST_CASE(waiter_polls_until_every_index_is_active) {
  answer(json_response(400, R"({"__type":"x#ResourceNotFoundException","message":"not yet"})"));
  answer(json_response(200, table_with("CREATING", "CREATING")));
  answer(json_response(200, table_with("ACTIVE", "CREATING")));
  answer(json_response(200, active_table));
  const auto start = std::chrono::steady_clock::now();
  const auto table = run(ddb.wait_until_active("t", {.initial_delay = 5ms, .timeout = 5s}));
  BOOST_TEST(table.fully_active());
  BOOST_TEST(requests() == 4u);
  // Backoff between polls: 5 + 10 + 20 ms at least.
  BOOST_TEST((std::chrono::steady_clock::now() - start >= 35ms));
  for (const auto& req : received) {
    BOOST_TEST(http::find_header(req.headers, "X-Amz-Target") == "DynamoDB_20120810.DescribeTable");
  }
}

BOOST_AUTO_TEST_CASE(waiter_fails_on_a_deleting_table) {
  answer(json_response(200, table_with("DELETING", "ACTIVE")));
  try {
    run(ddb.wait_until_active("t", {.initial_delay = 5ms, .timeout = 5s}));
    BOOST_FAIL("no error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::waiter_failed), e.what());
    BOOST_TEST(std::string(e.what()).find("DELETING") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(waiter_passes_on_other_errors) {
  answer(json_response(400, R"({"__type":"x#AccessDeniedException","message":"no"})"));
  try {
    run(ddb.wait_until_deleted("t", {.initial_delay = 5ms, .timeout = 5s}));
    BOOST_FAIL("no error");
  } catch (const ddb::service_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::access_denied));
  }
  answer(json_response(200, active_table));
  answer(json_response(200, table_with("DELETING", "DELETING")));
  answer(json_response(400, R"({"__type":"x#ResourceNotFoundException","message":"gone"})"));
  run(ddb.wait_until_deleted("t", {.initial_delay = 5ms, .timeout = 5s}));
  BOOST_TEST(requests() == 4u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
