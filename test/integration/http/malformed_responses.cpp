// Replies no HTTP/1.1 server sends, written raw by a loopback server and read through the
// connection pool: each is an http::errc error naming the endpoint, and the connection that
// carried it is never lent again. Includes fuzz finding 2 (a status below 100 was returned as a
// response; fuzz/regressions/http_response/status-below-100).

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/http/client.hpp"
#include "evstore/http/error.hpp"
#include "send_outcome.hpp"
#include "support/run_awaitable.hpp"

BOOST_AUTO_TEST_SUITE(malformed_responses)

namespace asio = boost::asio;
namespace http = evstore::http;
using namespace std::chrono_literals;
using evstore::test::contains;
using outcome = evstore::test::send_outcome;

namespace {

/// Accepts one connection, reads one request head, writes `reply` and closes. The client may
/// close first (it stops reading at the first error), so write errors are expected.
asio::awaitable<void> answer_once(asio::ip::tcp::acceptor& listener, std::string reply) {
  boost::system::error_code ec;
  asio::ip::tcp::socket socket =
      co_await listener.async_accept(asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return;
  std::string head;
  co_await asio::async_read_until(socket, asio::dynamic_buffer(head), "\r\n\r\n",
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
}

struct raw_reply {
  explicit raw_reply(std::string reply) {
    asio::co_spawn(io, answer_once(listener, std::move(reply)), asio::detached);
  }

  outcome send(std::string method = "GET") {
    http::request req{std::move(method), "/", {}, {}};
    return evstore::test::run_awaitable(io, evstore::test::try_send(pool, std::move(req)));
  }

  static http::client_options options() {
    http::client_options result;
    result.max_connections = 1;
    result.connect_timeout = 2000ms;
    result.request_timeout = 5000ms;
    result.max_response_body = 64 * 1024;
    return result;
  }

  asio::io_context io;
  asio::ip::tcp::acceptor listener{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::string url = "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port());
  http::connection_pool pool{io.get_executor(), http::endpoint::parse(url), options()};
};

void check_refused(const std::string& reply, http::errc expected, const std::string& method) {
  raw_reply server(reply);
  const outcome result = server.send(method);
  BOOST_TEST(!result.response.has_value());
  BOOST_TEST(result.error == http::make_error_code(expected), result.message);
  BOOST_TEST(contains(result.message, server.url), result.message);
  BOOST_TEST(server.pool.open_connections() == 0u);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "cannot read " << path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_malformed_responses)

BOOST_AUTO_TEST_CASE(status_below_100_is_malformed) {
  for (const char* status : {"000", "050", "099"}) {
    BOOST_TEST_CONTEXT("status " << status) {
      for (const char* method : {"GET", "HEAD"}) {
        check_refused(std::string("HTTP/1.1 ") + status + " Odd\r\nContent-Length: 0\r\n\r\n",
                      http::errc::malformed_response, method);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(status_below_100_before_a_real_response_is_malformed) {
  // Not an interim response to skip: the whole exchange is refused.
  check_refused("HTTP/1.1 050 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                http::errc::malformed_response, "GET");
}

BOOST_AUTO_TEST_CASE(fuzz_finding_2_reproducer_is_refused) {
  const std::string reply =
      read_file(EVSTORE_SOURCE_DIR "/fuzz/regressions/http_response/status-below-100");
  check_refused(reply, http::errc::malformed_response, "GET");
  check_refused(reply, http::errc::malformed_response, "HEAD");
}

BOOST_AUTO_TEST_CASE(garbage_and_broken_heads_are_malformed) {
  const std::vector<std::string> replies = {
      "not http at all\r\n\r\n",
      "HTTP/1.1 20 OK\r\n\r\n",
      "HTTP/1.1 2000 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nBad Header Name: x\r\n\r\n",
      std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 27),
  };
  for (const std::string& reply : replies) {
    BOOST_TEST_CONTEXT(reply) {
      check_refused(reply, http::errc::malformed_response, "GET");
    }
  }
}

BOOST_AUTO_TEST_CASE(oversized_heads_and_bodies_are_refused) {
  // The pool bounds the head to 64 KiB and the body to max_response_body.
  check_refused("HTTP/1.1 200 OK\r\nX-Big: " + std::string(70 * 1024, 'a') + "\r\n\r\n",
                http::errc::malformed_response, "GET");
  check_refused("HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n",
                http::errc::response_too_large, "GET");
  check_refused("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                http::errc::malformed_response, "GET");
  check_refused("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string("20000\r\n") +
                    std::string(0x20000, 'x') + "\r\n0\r\n\r\n",
                http::errc::response_too_large, "GET");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
