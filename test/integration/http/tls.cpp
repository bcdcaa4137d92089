// TLS through the connection pool, against local_http_server with a CA made at test time.

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/http/client.hpp"
#include "evstore/http/error.hpp"
#include "send_outcome.hpp"
#include "support/local_http_server.hpp"
#include "support/run_awaitable.hpp"
#include "support/test_ca.hpp"

BOOST_AUTO_TEST_SUITE(tls)

namespace asio = boost::asio;
namespace http = evstore::http;
using evstore::test::contains;
using evstore::test::local_http_server;
using evstore::test::make_test_certificates;
using evstore::test::temp_file;
using outcome = evstore::test::send_outcome;

namespace {

http::response hello(const http::request& req) {
  return {200, {}, "hello " + std::string(find_header(req.headers, "Host"))};
}

asio::awaitable<outcome> try_get(http::connection_pool& pool) {
  return evstore::test::try_send(pool, {"GET", "/", {}, {}});
}

outcome get_once(const std::string& url, const std::string& ca_file) {
  asio::io_context io;
  http::client_options options;
  options.ca_file = ca_file;
  options.connect_timeout = std::chrono::milliseconds(3000);
  options.request_timeout = std::chrono::milliseconds(5000);
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(url), options);
  return evstore::test::run_awaitable(io, try_get(pool));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_tls)

BOOST_AUTO_TEST_CASE(trusted_certificate_is_accepted_by_host_name_and_by_ip) {
  const auto certs = make_test_certificates({"localhost"}, {"127.0.0.1"});
  const temp_file ca(certs.ca_certificate_pem);
  local_http_server server(hello, certs.server);

  for (const char* host : {"localhost", "127.0.0.1"}) {
    BOOST_TEST_CONTEXT("host " << host) {
      const outcome result = get_once(server.url(host), ca.path().string());
      BOOST_REQUIRE_MESSAGE(result.response, result.message);
      BOOST_TEST(result.response->status == 200u);
      BOOST_TEST(result.response->body ==
                 "hello " + std::string(host) + ":" + std::to_string(server.port()));
    }
  }
}

BOOST_AUTO_TEST_CASE(tls_connection_is_kept_alive) {
  const auto certs = make_test_certificates({"localhost"}, {});
  const temp_file ca(certs.ca_certificate_pem);
  local_http_server server(hello, certs.server);
  asio::io_context io;
  http::client_options options;
  options.ca_file = ca.path().string();
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url("localhost")),
                             options);
  for (int i = 0; i < 5; ++i) {
    const outcome result = evstore::test::run_awaitable(io, try_get(pool));
    BOOST_REQUIRE_MESSAGE(result.response, result.message);
  }
  BOOST_TEST(server.connections_accepted() == 1u);
  // A server that dropped the idle TLS connection is replaced transparently too.
  server.close_idle_connections();
  const outcome after_close = evstore::test::run_awaitable(io, try_get(pool));
  BOOST_REQUIRE_MESSAGE(after_close.response, after_close.message);
  BOOST_TEST(server.connections_accepted() == 2u);
}

namespace {

asio::awaitable<std::string> post(http::connection_pool& pool, std::string body) {
  http::request req{"POST", "/echo", {}, std::move(body)};
  const http::response res = co_await pool.send(std::move(req));
  co_return res.body;
}

}  // namespace

BOOST_AUTO_TEST_CASE(small_and_large_bodies_cross_tls_intact) {
  const auto certs = make_test_certificates({"localhost"}, {});
  const temp_file ca(certs.ca_certificate_pem);
  local_http_server server(
      [](const http::request& req) {
        return http::response{200, {}, req.body};
      },
      certs.server);
  asio::io_context io;
  http::client_options options;
  options.ca_file = ca.path().string();
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url("localhost")),
                             options);
  for (const std::size_t size : {std::size_t{0}, std::size_t{100}, std::size_t{16 * 1024},
                                 std::size_t{16 * 1024 + 1}, std::size_t{300 * 1024}}) {
    std::string body(size, '\0');
    for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>('a' + i % 26);
    BOOST_TEST_CONTEXT("body of " << size << " bytes") {
      BOOST_TEST((evstore::test::run_awaitable(io, post(pool, body)) == body));
    }
  }
  BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(certificate_from_an_unknown_ca_is_refused) {
  const auto certs = make_test_certificates({"localhost"}, {"127.0.0.1"});
  local_http_server server(hello, certs.server);
  const std::string url = server.url("localhost");
  const outcome result = get_once(url, "");  // system trust store: does not know the test CA
  BOOST_TEST(!result.response);
  BOOST_TEST(result.error == http::make_error_code(http::errc::tls_handshake_failed));
  BOOST_TEST(contains(result.message, "TLS handshake with " + url + " failed"), result.message);
  BOOST_TEST(contains(result.message, "certificate verify failed"), result.message);
  BOOST_TEST(server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(certificate_for_another_host_name_is_refused) {
  const auto certs = make_test_certificates({"localhost"}, {});
  const temp_file ca(certs.ca_certificate_pem);
  local_http_server server(hello, certs.server);
  const outcome by_ip = get_once(server.url("127.0.0.1"), ca.path().string());
  BOOST_TEST(by_ip.error == http::make_error_code(http::errc::tls_handshake_failed));
  BOOST_TEST(contains(by_ip.message, "IP address mismatch"), by_ip.message);
  BOOST_TEST(server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(certificate_for_an_ip_only_is_refused_for_a_host_name) {
  const auto certs = make_test_certificates({}, {"127.0.0.1"});
  const temp_file ca(certs.ca_certificate_pem);
  local_http_server server(hello, certs.server);
  BOOST_TEST(get_once(server.url("127.0.0.1"), ca.path().string()).response.has_value());
  const outcome by_name = get_once(server.url("localhost"), ca.path().string());
  BOOST_TEST(by_name.error == http::make_error_code(http::errc::tls_handshake_failed));
  BOOST_TEST(contains(by_name.message, "hostname mismatch"), by_name.message);
}

BOOST_AUTO_TEST_CASE(https_to_a_plain_http_server_fails_the_handshake) {
  local_http_server server(hello);
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const outcome result = get_once(url, "");
  BOOST_TEST(result.error == http::make_error_code(http::errc::tls_handshake_failed));
  BOOST_TEST(contains(result.message, url), result.message);
}

BOOST_AUTO_TEST_CASE(missing_ca_file_is_reported_when_the_pool_is_made) {
  asio::io_context io;
  http::client_options options;
  options.ca_file = "/nonexistent/evstore-ca.pem";
  try {
    http::connection_pool pool(io.get_executor(), http::endpoint::parse("https://localhost:1"),
                               options);
    BOOST_ERROR("pool made with a missing CA file");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(contains(e.what(), "/nonexistent/evstore-ca.pem"), e.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
