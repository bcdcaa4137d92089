// The fault proxy itself, in front of a scripted in-process server: each fault has the shape
// the other fault tests rely on (and is counted), and requests pass untouched when not faulted.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <stdexcept>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/crc.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/http/client.hpp"
#include "store_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(faults_proxy)

namespace http = evstore::http;
namespace json = boost::json;
using evstore::test::fault_kind;
using evstore::test::fault_proxy;
using evstore::test::fault_proxy_options;
using evstore::test::local_http_server;

namespace {

constexpr std::string_view batch_get_request =
    R"({"RequestItems":{"t":{"ConsistentRead":true,"Keys":[)"
    R"({"id":{"S":"a"},"created":{"S":"1"}},{"id":{"S":"b"},"created":{"S":"2"}},)"
    R"({"id":{"S":"c"},"created":{"S":"3"}},{"id":{"S":"d"},"created":{"S":"4"}}]}}})";

std::string crc32_of(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return std::to_string(crc.checksum());
}

/// Answers like DynamoDB: a BatchGetItem result holding all four items asked for.
http::response batch_get_answer(const http::request&) {
  std::string body = R"({"Responses":{"t":[)";
  for (const char* id : {"a", "b", "c", "d"}) {
    if (body.back() == '}') body += ',';
    body += R"({"id":{"S":")" + std::string(id) + R"("},"created":{"S":"x"},"v":{"N":"1"}})";
  }
  body += R"(]},"UnprocessedKeys":{}})";
  return {
      200, {{"Content-Type", "application/x-amz-json-1.0"}, {"x-amz-crc32", crc32_of(body)}}, body};
}

struct proxy_setup {
  explicit proxy_setup(std::vector<fault_kind> kinds, double share = 1.0)
      : server(batch_get_answer), proxy(options(server.url(), std::move(kinds), share)) {}

  static fault_proxy_options options(std::string upstream, std::vector<fault_kind> kinds,
                                     double share) {
    fault_proxy_options o;
    o.upstream_url = std::move(upstream);
    o.kinds = std::move(kinds);
    o.fault_share = share;
    o.stall_time = std::chrono::milliseconds(600);
    return o;
  }

  /// One BatchGetItem through the proxy, on a fresh pool (a faulted connection is not reused).
  http::response send() {
    http::client_options client;
    client.request_timeout = std::chrono::milliseconds(400);
    http::connection_pool pool(io.get_executor(), http::endpoint::parse(proxy.url()), client);
    http::request request;
    request.method = "POST";
    request.target = "/";
    request.headers = {{"X-Amz-Target", "DynamoDB_20120810.BatchGetItem"},
                       {"Content-Type", "application/x-amz-json-1.0"}};
    request.body = std::string(batch_get_request);
    // Bounded: an idle keep-alive connection would keep io busy.
    return evstore::test::run_for(io, pool.send(std::move(request)), std::chrono::seconds(10));
  }

  boost::asio::io_context io;
  local_http_server server;
  fault_proxy proxy;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_faults_proxy)

BOOST_AUTO_TEST_CASE(unfaulted_requests_pass_untouched) {
  proxy_setup s({}, 0.0);
  const http::response answer = s.send();
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST(answer.body == batch_get_answer({}).body);
  BOOST_TEST(answer.header("x-amz-crc32") == crc32_of(answer.body));
  BOOST_TEST(s.proxy.counts().requests == 1u);
  BOOST_TEST(s.proxy.counts().forwarded == 1u);
  BOOST_TEST(s.proxy.counts().faults() == 0u);
}

BOOST_AUTO_TEST_CASE(unprocessed_keys_moves_items_and_rewrites_the_checksum) {
  proxy_setup s({fault_kind::unprocessed_keys});
  const http::response answer = s.send();
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST(answer.header("x-amz-crc32") == crc32_of(answer.body));
  const json::value body = json::parse(answer.body);
  const json::array& items = body.at("Responses").at("t").as_array();
  const json::object& left = body.at("UnprocessedKeys").at("t").as_object();
  BOOST_TEST(items.size() == 2u);
  BOOST_TEST(left.at("Keys").as_array().size() == 2u);
  BOOST_TEST(left.at("ConsistentRead").as_bool());  // the request's settings kept
  for (const json::value& key : left.at("Keys").as_array()) {
    BOOST_TEST(key.as_object().size() == 2u);  // id and created only
    BOOST_TEST(key.as_object().contains("id"));
  }
  BOOST_TEST(s.proxy.count(fault_kind::unprocessed_keys) == 1u);
}

BOOST_AUTO_TEST_CASE(throttling_has_the_dynamodb_error_shape) {
  proxy_setup s({fault_kind::throttling});
  const http::response answer = s.send();
  BOOST_TEST(answer.status == 400u);
  BOOST_TEST(answer.header("x-amzn-ErrorType") == "ThrottlingException");
  BOOST_TEST(answer.header("x-amz-crc32") == crc32_of(answer.body));
  BOOST_TEST(json::parse(answer.body).at("__type").as_string() ==
             "com.amazonaws.dynamodb.v20120810#ThrottlingException");
  BOOST_TEST(s.proxy.counts().forwarded == 0u);
  BOOST_TEST(s.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(corrupt_crc32_keeps_the_header_of_another_body) {
  proxy_setup s({fault_kind::corrupt_crc32});
  const http::response answer = s.send();
  BOOST_TEST(answer.status == 200u);
  BOOST_TEST(answer.body.size() == batch_get_answer({}).body.size());
  BOOST_TEST(answer.header("x-amz-crc32") != crc32_of(answer.body));
}

BOOST_AUTO_TEST_CASE(resets_truncations_and_stalls_fail_the_exchange_after_forwarding) {
  for (fault_kind kind :
       {fault_kind::reset_mid_response, fault_kind::truncated_body, fault_kind::stall}) {
    BOOST_TEST_CONTEXT(evstore::test::to_string(kind)) {
      proxy_setup s({kind});
      BOOST_CHECK_THROW(s.send(), boost::system::system_error);
      BOOST_TEST(s.server.requests_received() == 1u);  // the server saw (applied) it
      BOOST_TEST(s.proxy.count(kind) == 1u);
    }
  }
  proxy_setup before({fault_kind::reset_before_response});
  BOOST_CHECK_THROW(before.send(), boost::system::system_error);
  BOOST_TEST(before.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(only_loopback_upstreams_and_fitting_kinds_are_accepted) {
  fault_proxy_options remote;
  remote.upstream_url = "http://10.1.2.3:8000";
  BOOST_CHECK_THROW(fault_proxy{remote}, std::invalid_argument);
  fault_proxy_options s3;
  s3.upstream_url = "http://127.0.0.1:4566";
  s3.service = evstore::test::proxied_service::s3;
  s3.kinds = {fault_kind::dropped_transaction};
  BOOST_CHECK_THROW(fault_proxy{s3}, std::invalid_argument);
  fault_proxy_options share;
  share.upstream_url = "http://127.0.0.1:8000";
  share.fault_share = 1.5;
  BOOST_CHECK_THROW(fault_proxy{share}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
