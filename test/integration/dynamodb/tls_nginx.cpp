// TLS against a real TLS server: Debian's nginx, started by the test with a certificate from a
// CA made at test time, terminating TLS in front of DynamoDB Local. Trusted, a DynamoDB table
// is created, written, read and deleted through https; an untrusted certificate and a
// certificate for another host are refused before any request is sent, with errors that say
// why. Fails (never skips) when nginx is missing. Needs scripts/emulators running.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/service_client.hpp"
#include "evstore/dynamodb/client.hpp"
#include "evstore/http/endpoint.hpp"
#include "evstore/http/error.hpp"
#include "nginx_terminator.hpp"
#include "support/run_awaitable.hpp"
#include "support/servers.hpp"
#include "support/test_ca.hpp"

BOOST_AUTO_TEST_SUITE(tls_nginx)

namespace ddb = evstore::dynamodb;
namespace aws = evstore::aws;
namespace http = evstore::http;
using namespace std::chrono_literals;

namespace {

/// "127.0.0.1:8000" from the DynamoDB Local URL.
std::string dynamodb_authority() {
  const http::endpoint local = http::endpoint::parse(evstore::test::dynamodb_url());
  return local.host + ":" + std::to_string(local.port);
}

struct terminated_dynamodb {
  evstore::test::test_certificates certificates =
      evstore::test::make_test_certificates({"localhost"}, {"127.0.0.1"});
  evstore::test::temp_file ca{certificates.ca_certificate_pem};
  evstore::test::nginx_terminator nginx{certificates.server, dynamodb_authority()};
  boost::asio::io_context io;

  /// A DynamoDB client for `url` trusting `ca_file` (the system store when empty). One attempt:
  /// a refused handshake is not retried into a slower failure.
  ddb::client client(const std::string& url, const std::string& ca_file) {
    aws::service_client_options options;
    options.http.ca_file = ca_file;
    options.http.connect_timeout = 3s;
    options.http.request_timeout = 10s;
    options.retry.max_attempts = 1;
    const aws::credentials credentials{"local", "local", "", std::nullopt};
    return ddb::client{aws::service_client{
        io.get_executor(), http::endpoint::parse(url), "us-east-1", "dynamodb",
        aws::make_static_credentials_provider(io.get_executor(), credentials), options}};
  }

  /// The error of a DescribeTable through `c`, which must fail.
  boost::system::system_error refusal(ddb::client& c) {
    try {
      const ddb::describe_table_request request{.table_name = "evstore-tls-nginx-absent"};
      (void)evstore::test::run_awaitable(io, c.describe_table(request));
      BOOST_ERROR("the request went through");
    } catch (const boost::system::system_error& error) {
      return error;
    }
    return boost::system::system_error(boost::system::error_code{}, "no error");
  }
};

boost::asio::awaitable<std::string> round_trip(ddb::client& c, std::string table) {
  ddb::create_table_request create;
  create.table_name = table;
  create.attribute_definitions = {{"pk", ddb::scalar_type::s}};
  create.key_schema = {{"pk", ddb::key_type::hash}};
  co_await c.create_table(create);
  const ddb::waiter_options wait;
  co_await c.wait_until_active(table, wait);
  ddb::put_item_request put;
  put.table_name = table;
  put.item = {{"pk", ddb::attribute_value::string("over-tls")},
              {"body", ddb::attribute_value::string(std::string(200 * 1024, 't'))}};
  co_await c.put_item(put);
  ddb::get_item_request get;
  get.table_name = table;
  get.key = {{"pk", ddb::attribute_value::string("over-tls")}};
  get.consistent_read = true;
  const ddb::get_item_result got = co_await c.get_item(get);
  const ddb::delete_table_request drop{.table_name = table};
  co_await c.delete_table(drop);
  co_return got.item ? got.item->at("body").as_string() : std::string("(no item)");
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(dynamodb_tls_nginx, terminated_dynamodb)

BOOST_AUTO_TEST_CASE(trusted_certificate_carries_dynamodb_operations) {
  for (const char* host : {"localhost", "127.0.0.1"}) {
    BOOST_TEST_CONTEXT("host " << host) {
      ddb::client c = client(nginx.url(host), ca.path().string());
      const std::string table = "evstore-tls-nginx-" + std::to_string(::getpid()) + "-" + host;
      const std::string body = evstore::test::run_awaitable(io, round_trip(c, table));
      BOOST_TEST((body == std::string(200 * 1024, 't')), "nginx log: " << nginx.error_log());
    }
  }
}

BOOST_AUTO_TEST_CASE(untrusted_certificate_is_refused) {
  ddb::client c = client(nginx.url("localhost"), "");  // the system store lacks the test CA
  const boost::system::system_error error = refusal(c);
  BOOST_TEST(error.code() == http::make_error_code(http::errc::tls_handshake_failed), error.what());
  BOOST_TEST(contains(error.what(), "certificate verify failed"), error.what());
  BOOST_TEST(contains(error.what(), nginx.url("localhost")), error.what());
}

BOOST_AUTO_TEST_CASE(certificate_for_another_host_is_refused) {
  // 127.0.0.2 reaches the same nginx, but the certificate names localhost and 127.0.0.1 only.
  ddb::client c = client(nginx.url("127.0.0.2"), ca.path().string());
  const boost::system::system_error error = refusal(c);
  BOOST_TEST(error.code() == http::make_error_code(http::errc::tls_handshake_failed), error.what());
  BOOST_TEST(contains(error.what(), "IP address mismatch"), error.what());
  BOOST_TEST(contains(error.what(), nginx.url("127.0.0.2")), error.what());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
