// The connection pool against the in-process local_http_server (no emulator needed).

#include <chrono>
#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evstore/http/client.hpp"
#include "evstore/http/error.hpp"
#include "send_outcome.hpp"
#include "support/local_http_server.hpp"
#include "support/run_awaitable.hpp"

BOOST_AUTO_TEST_SUITE(connection_pool)

namespace asio = boost::asio;
namespace http = evstore::http;
using namespace std::chrono_literals;
using evstore::test::contains;
using evstore::test::local_http_server;
using evstore::test::try_send;
using outcome = evstore::test::send_outcome;
using evstore::test::run_awaitable;
using clock_type = std::chrono::steady_clock;

namespace {

http::response echo(const http::request& req) {
  http::response res{200, {{"Content-Type", "text/plain"}}, {}};
  res.body =
      req.method + " " + req.target + " host=" + std::string(find_header(req.headers, "host")) +
      " length=" + std::string(find_header(req.headers, "content-length")) + " body=" + req.body;
  return res;
}

http::client_options quick_options() {
  http::client_options options;
  options.max_connections = 4;
  options.connect_timeout = 2000ms;
  options.request_timeout = 5000ms;
  return options;
}

http::request get(std::string target) {
  return {"GET", std::move(target), {}, {}};
}

outcome send_once(asio::io_context& io, http::connection_pool& pool, http::request req) {
  return run_awaitable(io, try_send(pool, std::move(req)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_connection_pool)

BOOST_AUTO_TEST_CASE(get_and_post_round_trip_with_host_and_content_length) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  const outcome got = send_once(io, pool, get("/items?id=1"));
  BOOST_REQUIRE_MESSAGE(got.response, got.message);
  BOOST_TEST(got.response->status == 200u);
  BOOST_TEST(got.response->header("content-type") == "text/plain");
  BOOST_TEST(got.response->body ==
             "GET /items?id=1 host=127.0.0.1:" + std::to_string(server.port()) + " length= body=");

  const outcome posted =
      send_once(io, pool, {"POST", "/", {{"Host", "example.test"}}, std::string(3000, 'x')});
  BOOST_REQUIRE_MESSAGE(posted.response, posted.message);
  BOOST_TEST(posted.response->body ==
             "POST / host=example.test length=3000 body=" + std::string(3000, 'x'));
  BOOST_TEST(pool.target().port == server.port());
}

BOOST_AUTO_TEST_CASE(large_bodies_both_ways) {
  local_http_server server([](const http::request& req) {
    return http::response{201, {}, req.body + req.body};
  });
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  std::string body(3 * 1024 * 1024, '\0');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>(i * 7 % 251);
  const outcome result = send_once(io, pool, {"PUT", "/big", {}, body});
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->status == 201u);
  BOOST_TEST((result.response->body == body + body));
}

BOOST_AUTO_TEST_CASE(a_large_response_is_read_in_a_few_socket_reads) {
  // Each socket read is a completion handler run by the io_context: a read buffer left at
  // Beast's default (about 512 bytes free) took hundreds of them for this body.
  constexpr std::size_t body_bytes = 256 * 1024;
  local_http_server server([](const http::request&) {
    return http::response{200, {}, std::string(body_bytes, 'x')};
  });
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  // The first request opens the connection; the second reuses it and is the one counted.
  BOOST_REQUIRE(send_once(io, pool, get("/warm")).response);
  std::future<outcome> result = asio::co_spawn(io, try_send(pool, get("/large")), asio::use_future);
  io.restart();
  const std::size_t handlers = io.run();
  const outcome got = result.get();
  BOOST_REQUIRE_MESSAGE(got.response, got.message);
  BOOST_TEST(got.response->body.size() == body_bytes);
  BOOST_TEST_MESSAGE("handlers run for one " << body_bytes << "-byte response: " << handlers);
  BOOST_TEST(handlers <= 64u);
}

BOOST_AUTO_TEST_CASE(keep_alive_uses_one_connection_for_sequential_requests) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  for (int i = 0; i < 10; ++i) {
    const outcome result = send_once(io, pool, get("/" + std::to_string(i)));
    BOOST_REQUIRE_MESSAGE(result.response, result.message);
    BOOST_TEST(result.response->body.starts_with("GET /" + std::to_string(i) + " "));
  }
  BOOST_TEST(server.connections_accepted() == 1u);
  BOOST_TEST(pool.connections_opened() == 1u);
  BOOST_TEST(pool.open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(head_response_without_body_keeps_the_connection) {
  local_http_server server([](const http::request&) {
    return http::response{200, {{"Content-Length", "1234"}}, {}};
  });
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  for (int i = 0; i < 3; ++i) {
    const outcome result = send_once(io, pool, {"HEAD", "/object", {}, {}});
    BOOST_REQUIRE_MESSAGE(result.response, result.message);
    BOOST_TEST(result.response->header("Content-Length") == "1234");
    BOOST_TEST(result.response->body.empty());
  }
  BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(connection_close_from_server_is_honoured) {
  local_http_server server(echo);
  server.set_close_after_response(true);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  for (int i = 0; i < 3; ++i) {
    const outcome result = send_once(io, pool, get("/"));
    BOOST_REQUIRE_MESSAGE(result.response, result.message);
  }
  BOOST_TEST(server.connections_accepted() == 3u);
  BOOST_TEST(server.requests_received() == 3u);
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(idle_connection_closed_by_server_is_replaced_transparently) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  BOOST_REQUIRE(send_once(io, pool, get("/first")).response);
  server.close_idle_connections();
  const outcome second = send_once(io, pool, get("/second"));
  BOOST_REQUIRE_MESSAGE(second.response, second.message);
  BOOST_TEST(second.response->body.starts_with("GET /second "));
  BOOST_TEST(server.connections_accepted() == 2u);
  BOOST_TEST(pool.open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(server_idle_timeout_is_handled_transparently) {
  local_http_server server(echo);
  server.set_idle_timeout(50ms);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  for (int i = 0; i < 3; ++i) {
    const outcome result = send_once(io, pool, get("/" + std::to_string(i)));
    BOOST_REQUIRE_MESSAGE(result.response, result.message);
    for (int wait = 0; wait < 200 && server.open_connections() != 0; ++wait) {
      std::this_thread::sleep_for(10ms);
    }
    BOOST_REQUIRE(server.open_connections() == 0u);
  }
  BOOST_TEST(server.connections_accepted() == 3u);
}

BOOST_AUTO_TEST_CASE(connection_idle_longer_than_max_idle_time_is_not_reused) {
  local_http_server server(echo);
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_idle_time = 50ms;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  BOOST_REQUIRE(send_once(io, pool, get("/first")).response);
  BOOST_REQUIRE(send_once(io, pool, get("/soon")).response);
  BOOST_TEST(server.connections_accepted() == 1u);
  std::this_thread::sleep_for(100ms);
  BOOST_REQUIRE(send_once(io, pool, get("/later")).response);
  BOOST_TEST(server.connections_accepted() == 2u);
  BOOST_TEST(server.requests_received() == 3u);
  BOOST_TEST(pool.open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(request_lost_on_a_reused_connection_is_resent_once) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  BOOST_REQUIRE(send_once(io, pool, get("/first")).response);
  // The server reads the next request and closes without answering: what a keep-alive race
  // with the server's idle timeout looks like from the client.
  server.drop_next_requests(1);
  const outcome second = send_once(io, pool, get("/second"));
  BOOST_REQUIRE_MESSAGE(second.response, second.message);
  BOOST_TEST(second.response->body.starts_with("GET /second "));
  BOOST_TEST(server.requests_received() == 3u);
  BOOST_TEST(server.connections_accepted() == 2u);
}

BOOST_AUTO_TEST_CASE(request_lost_twice_is_not_resent_again) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  BOOST_REQUIRE(send_once(io, pool, get("/first")).response);
  server.drop_next_requests(2);
  const outcome second = send_once(io, pool, get("/second"));
  BOOST_TEST(!second.response);
  BOOST_TEST(second.error == http::make_error_code(http::errc::connection_closed));
  BOOST_TEST(contains(second.message, server.url()), second.message);
  BOOST_TEST(server.requests_received() == 3u);
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(request_lost_on_a_new_connection_is_not_resent) {
  local_http_server server(echo);
  server.drop_next_requests(1);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  const outcome result = send_once(io, pool, {"POST", "/", {}, "once"});
  BOOST_TEST(!result.response);
  BOOST_TEST(result.error == http::make_error_code(http::errc::connection_closed));
  BOOST_TEST(server.requests_received() == 1u);
  BOOST_TEST(pool.open_connections() == 0u);
}

namespace {

asio::awaitable<void> send_and_check_pool_size(http::connection_pool& pool, std::string target,
                                               std::size_t& completed, std::size_t& max_open) {
  const http::response res = co_await pool.send(get(target));
  max_open = std::max(max_open, pool.open_connections());
  if (res.body.starts_with("GET " + target + " ")) ++completed;
}

}  // namespace

BOOST_AUTO_TEST_CASE(concurrent_requests_share_at_most_max_connections) {
  local_http_server server(echo);
  server.set_response_delay(20ms);
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_connections = 8;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  std::size_t completed = 0;
  std::size_t max_open = 0;
  std::vector<std::exception_ptr> failures;
  for (int i = 0; i < 64; ++i) {
    asio::co_spawn(io, send_and_check_pool_size(pool, "/" + std::to_string(i), completed, max_open),
                   [&](std::exception_ptr e) {
                     if (e) failures.push_back(e);
                   });
  }
  io.run();
  BOOST_TEST(failures.empty());
  BOOST_TEST(completed == 64u);
  BOOST_TEST(max_open <= 8u);
  BOOST_TEST(pool.open_connections() == 8u);
  BOOST_TEST(pool.connections_opened() == 8u);
  BOOST_TEST(server.connections_accepted() == 8u);
  BOOST_TEST(server.peak_open_connections() == 8u);
}

namespace {

asio::awaitable<void> send_and_record(http::connection_pool& pool, std::string target,
                                      std::vector<std::string>& finished) {
  co_await pool.send(get(target));
  finished.push_back(target);
}

}  // namespace

BOOST_AUTO_TEST_CASE(waiting_requests_are_served_first_come_first_served) {
  std::mutex mutex;
  std::vector<std::string> served;
  local_http_server server([&](const http::request& req) {
    const std::lock_guard lock(mutex);
    served.push_back(req.target);
    return http::response{204, {}, {}};
  });
  server.set_response_delay(5ms);
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_connections = 1;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  std::vector<std::string> expected;
  std::vector<std::string> finished;
  for (int i = 0; i < 6; ++i) {
    expected.push_back("/" + std::to_string(i));
    asio::co_spawn(io, send_and_record(pool, expected.back(), finished), asio::detached);
  }
  io.run();
  BOOST_TEST(finished == expected, boost::test_tools::per_element());
  const std::lock_guard lock(mutex);
  BOOST_TEST(served == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(request_timeout_when_the_server_does_not_answer) {
  local_http_server server(echo);
  server.set_response_delay(3000ms);
  asio::io_context io;
  http::client_options options = quick_options();
  options.request_timeout = 200ms;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  const auto start = clock_type::now();
  const outcome result = send_once(io, pool, get("/slow"));
  const auto elapsed = clock_type::now() - start;
  BOOST_TEST(!result.response);
  BOOST_TEST(result.error == http::make_error_code(http::errc::request_timeout));
  BOOST_TEST(contains(result.message, server.url()), result.message);
  BOOST_TEST(contains(result.message, "request_timeout"), result.message);
  BOOST_TEST((elapsed >= 200ms));
  BOOST_TEST((elapsed < 2000ms));
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(request_timeout_covers_waiting_for_a_connection) {
  local_http_server server(echo);
  server.set_response_delay(3000ms);
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_connections = 1;
  options.request_timeout = 300ms;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  outcome first;
  outcome second;
  asio::co_spawn(io, try_send(pool, get("/1")), [&](std::exception_ptr, outcome o) { first = o; });
  asio::co_spawn(io, try_send(pool, get("/2")), [&](std::exception_ptr, outcome o) { second = o; });
  io.run();
  BOOST_TEST(first.error == http::make_error_code(http::errc::request_timeout));
  BOOST_TEST(second.error == http::make_error_code(http::errc::request_timeout));
  BOOST_TEST(contains(second.message, "waiting for a free connection"), second.message);
  BOOST_TEST(server.requests_received() == 1u);
  BOOST_TEST(pool.open_connections() == 0u);
}

namespace {

struct unique_fd {
  explicit unique_fd(int f) : fd(f) {}
  unique_fd(unique_fd&& other) noexcept : fd(std::exchange(other.fd, -1)) {}
  unique_fd& operator=(unique_fd&&) = delete;
  ~unique_fd() {
    if (fd >= 0) ::close(fd);
  }
  int fd;
};

}  // namespace

BOOST_AUTO_TEST_CASE(connect_timeout_when_the_listener_never_completes_a_connection) {
  // A listener with a full accept queue: the kernel drops further SYNs, so connect hangs.
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  listener.listen(0);
  const auto address = listener.local_endpoint();
  // Non-blocking connects (POSIX, as Asio's synchronous connect would wait) fill the queue.
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(address.port());
  peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<unique_fd> fillers;
  for (int i = 0; i < 8; ++i) {
    fillers.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    BOOST_REQUIRE(fillers.back().fd >= 0);
    ::connect(fillers.back().fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer);
  }
  http::client_options options = quick_options();
  options.connect_timeout = 300ms;
  http::connection_pool pool(
      io.get_executor(),
      http::endpoint::parse("http://127.0.0.1:" + std::to_string(address.port())), options);
  const auto start = clock_type::now();
  const outcome result = send_once(io, pool, get("/"));
  const auto elapsed = clock_type::now() - start;
  BOOST_TEST(!result.response);
  BOOST_TEST(result.error == http::make_error_code(http::errc::connect_timeout), result.message);
  BOOST_TEST(contains(result.message, "connect_timeout"), result.message);
  BOOST_TEST((elapsed < 2000ms));
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(connect_timeout_covers_the_tls_handshake) {
  // Accepted by the kernel, never answered: the TLS handshake waits for a ServerHello.
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
  http::client_options options = quick_options();
  options.connect_timeout = 300ms;
  http::connection_pool pool(
      io.get_executor(),
      http::endpoint::parse("https://127.0.0.1:" +
                            std::to_string(listener.local_endpoint().port())),
      options);
  const outcome result = send_once(io, pool, get("/"));
  BOOST_TEST(result.error == http::make_error_code(http::errc::connect_timeout), result.message);
  BOOST_TEST(contains(result.message, "TLS"), result.message);
}

BOOST_AUTO_TEST_CASE(connection_refused_names_the_endpoint) {
  asio::io_context io;
  std::uint16_t port = 0;
  {
    asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 0});
    port = listener.local_endpoint().port();
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(url), quick_options());
  const outcome result = send_once(io, pool, get("/"));
  BOOST_TEST(result.error == http::make_error_code(http::errc::connect_failed), result.message);
  BOOST_TEST(contains(result.message, url), result.message);
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(response_body_over_the_limit_fails_and_discards_the_connection) {
  local_http_server server([](const http::request& req) {
    return http::response{200, {}, std::string(req.target == "/big" ? 5000 : 10, 'b')};
  });
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_response_body = 1000;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  const outcome big = send_once(io, pool, get("/big"));
  BOOST_TEST(!big.response);
  BOOST_TEST(big.error == http::make_error_code(http::errc::response_too_large));
  BOOST_TEST(contains(big.message, "max_response_body"), big.message);
  BOOST_TEST(pool.open_connections() == 0u);
  const outcome small = send_once(io, pool, get("/small"));
  BOOST_REQUIRE_MESSAGE(small.response, small.message);
  BOOST_TEST(small.response->body == std::string(10, 'b'));
  BOOST_TEST(server.connections_accepted() == 2u);
}

namespace {

// Serves one connection with fixed bytes, one reply a request, then closes: for responses no
// HTTP server would send. `received` gets the last request, `requests` counts them.
asio::awaitable<void> answer_raw_in_turn(asio::ip::tcp::acceptor& listener,
                                         std::vector<std::string> replies,
                                         std::string* received = nullptr, int* requests = nullptr) {
  auto socket = co_await listener.async_accept(asio::use_awaitable);
  for (const std::string& reply : replies) {
    char request[4096];
    const std::size_t size =
        co_await socket.async_read_some(asio::buffer(request), asio::use_awaitable);
    if (received) received->assign(request, size);
    if (requests) ++*requests;
    co_await asio::async_write(socket, asio::buffer(reply), asio::use_awaitable);
  }
}

asio::awaitable<outcome> send_second_after_first(http::connection_pool& pool) {
  co_await pool.send(get("/first"));
  co_return co_await try_send(pool, get("/second"));
}

// A raw server on 127.0.0.1 (answer_raw_in_turn) and a pool for it.
struct raw_server {
  explicit raw_server(std::vector<std::string> replies, int* requests = nullptr) {
    asio::co_spawn(io, answer_raw_in_turn(listener, std::move(replies), nullptr, requests),
                   asio::detached);
  }

  outcome send(http::request req) { return send_once(io, pool, std::move(req)); }

  asio::io_context io;
  asio::ip::tcp::acceptor listener{io, {asio::ip::make_address("127.0.0.1"), 0}};
  std::string url = "http://127.0.0.1:" + std::to_string(listener.local_endpoint().port());
  http::connection_pool pool{io.get_executor(), http::endpoint::parse(url), quick_options()};
};

}  // namespace

BOOST_AUTO_TEST_CASE(malformed_response_is_reported) {
  raw_server server({"HTTP/1.1 2x0 Nope\r\n\r\n"});
  const outcome result = server.send(get("/"));
  BOOST_TEST(result.error == http::make_error_code(http::errc::malformed_response), result.message);
  BOOST_TEST(contains(result.message, server.url), result.message);
  BOOST_TEST(server.pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(response_cut_short_is_reported_as_closed) {
  raw_server server({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"});
  const outcome result = server.send(get("/"));
  BOOST_TEST(result.error == http::make_error_code(http::errc::connection_closed), result.message);
}

BOOST_AUTO_TEST_CASE(response_cut_short_on_a_reused_connection_is_not_resent) {
  int requests = 0;
  // The server may have acted on a request it began to answer: sending it again could repeat
  // a write.
  raw_server server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
                     "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"},
                    &requests);
  // One coroutine for both: the server's wait for the second request keeps `io` busy.
  const outcome second = run_awaitable(server.io, send_second_after_first(server.pool));
  BOOST_TEST(second.error == http::make_error_code(http::errc::connection_closed), second.message);
  BOOST_TEST(requests == 2);
  BOOST_TEST(server.pool.connections_opened() == 1u);
}

BOOST_AUTO_TEST_CASE(chunked_response_is_joined_and_keeps_the_connection) {
  raw_server server(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"});
  const outcome result = server.send(get("/"));
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->body == "hello world");
  BOOST_TEST(server.pool.open_connections() == 1u);
}

BOOST_AUTO_TEST_CASE(response_delimited_by_close_is_read_to_the_end_and_not_reused) {
  raw_server server({"HTTP/1.1 200 OK\r\n\r\nuntil the end"});
  const outcome result = server.send(get("/"));
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->body == "until the end");
  BOOST_TEST(server.pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(request_asking_to_close_does_not_leave_its_connection_idle) {
  // The server answers as if the connection stayed open; the request said otherwise.
  raw_server server({"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  const outcome result = server.send({"GET", "/", {{"Connection", "Close"}}, {}});
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(server.pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(interim_100_continue_is_skipped) {
  raw_server server(
      {"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
       "Connection: close\r\n\r\nok"});
  const outcome result = server.send(get("/"));
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->status == 200u);
  BOOST_TEST(result.response->body == "ok");
}

BOOST_AUTO_TEST_CASE(ipv6_literal_endpoint) {
  asio::io_context io;
  asio::ip::tcp::acceptor listener(io, {asio::ip::make_address("::1"), 0});
  std::string received;
  asio::co_spawn(
      io,
      answer_raw_in_turn(listener, {"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nv6"}, &received),
      asio::detached);
  const std::string port = std::to_string(listener.local_endpoint().port());
  http::connection_pool pool(io.get_executor(), http::endpoint::parse("http://[::1]:" + port),
                             quick_options());
  const outcome result = send_once(io, pool, get("/six"));
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->body == "v6");
  BOOST_TEST(received.starts_with("GET /six HTTP/1.1\r\n"), received);
  BOOST_TEST(contains(received, "\r\nHost: [::1]:" + port + "\r\n"), received);
}

BOOST_AUTO_TEST_CASE(host_name_is_resolved) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url("localhost")),
                             quick_options());
  const outcome result = send_once(io, pool, get("/"));
  BOOST_REQUIRE_MESSAGE(result.response, result.message);
  BOOST_TEST(result.response->body ==
             "GET / host=localhost:" + std::to_string(server.port()) + " length= body=");
}

BOOST_AUTO_TEST_CASE(invalid_request_fails_without_spoiling_the_connection) {
  local_http_server server(echo);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  BOOST_REQUIRE(send_once(io, pool, get("/ok")).response);
  const outcome bad = send_once(io, pool, {"GET", "/", {{"X-Evil", "a\r\nb"}}, {}});
  BOOST_TEST(bad.error == http::make_error_code(http::errc::invalid_request));
  BOOST_REQUIRE(send_once(io, pool, get("/ok")).response);
  BOOST_TEST(server.connections_accepted() == 1u);
  BOOST_TEST(server.requests_received() == 2u);
}

BOOST_AUTO_TEST_CASE(cancelled_request_closes_its_connection) {
  local_http_server server(echo);
  server.set_response_delay(3000ms);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  asio::cancellation_signal cancel;
  std::optional<boost::system::error_code> error;
  asio::co_spawn(
      io, pool.send(get("/slow")),
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, http::response) {
        try {
          if (e) std::rethrow_exception(e);
          error = boost::system::error_code{};
        } catch (const boost::system::system_error& failure) {
          error = failure.code();
        }
      }));
  asio::steady_timer timer(io, 100ms);
  timer.async_wait(
      [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  const auto start = clock_type::now();
  io.run();
  BOOST_TEST((clock_type::now() - start < 2000ms));
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(*error == boost::system::error_code(asio::error::operation_aborted));
  BOOST_TEST(pool.open_connections() == 0u);

  server.set_response_delay(0ms);
  const outcome next = send_once(io, pool, get("/next"));
  BOOST_REQUIRE_MESSAGE(next.response, next.message);
  BOOST_TEST(server.connections_accepted() == 2u);
}

namespace {

// The usual way to put a caller-side time limit on an operation.
asio::awaitable<bool> send_or_give_up(http::connection_pool& pool,
                                      std::chrono::milliseconds limit) {
  using namespace asio::experimental::awaitable_operators;
  asio::steady_timer timer(co_await asio::this_coro::executor, limit);
  const auto winner = co_await (pool.send(get("/slow")) || timer.async_wait(asio::use_awaitable));
  co_return winner.index() == 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(losing_an_awaitable_operator_race_cancels_the_request) {
  local_http_server server(echo);
  server.set_response_delay(3000ms);
  asio::io_context io;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                             quick_options());
  const auto start = clock_type::now();
  const bool answered = run_awaitable(io, send_or_give_up(pool, 100ms));
  BOOST_TEST(!answered);
  BOOST_TEST((clock_type::now() - start < 2000ms));
  BOOST_TEST(pool.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(cancelled_while_waiting_leaves_the_queue) {
  local_http_server server(echo);
  server.set_response_delay(300ms);
  asio::io_context io;
  http::client_options options = quick_options();
  options.max_connections = 1;
  http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
  outcome first;
  outcome third;
  std::optional<boost::system::error_code> second_error;
  asio::cancellation_signal cancel;
  asio::co_spawn(io, try_send(pool, get("/1")), [&](std::exception_ptr, outcome o) { first = o; });
  asio::co_spawn(
      io, pool.send(get("/2")),
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, http::response) {
        try {
          if (e) std::rethrow_exception(e);
          second_error = boost::system::error_code{};
        } catch (const boost::system::system_error& f) {
          second_error = f.code();
        }
      }));
  asio::co_spawn(io, try_send(pool, get("/3")), [&](std::exception_ptr, outcome o) { third = o; });
  asio::steady_timer timer(io, 50ms);
  timer.async_wait(
      [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  io.run();
  BOOST_TEST(first.response.has_value(), first.message);
  BOOST_TEST(third.response.has_value(), third.message);
  BOOST_REQUIRE(second_error.has_value());
  BOOST_TEST(*second_error == boost::system::error_code(asio::error::operation_aborted));
  BOOST_TEST(server.requests_received() == 2u);
  BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_CASE(requests_abandoned_with_their_io_context_release_everything) {
  local_http_server server(echo);
  server.set_response_delay(2000ms);
  {
    asio::io_context io;
    http::client_options options = quick_options();
    options.max_connections = 1;
    http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()), options);
    for (int i = 0; i < 3; ++i) {
      asio::co_spawn(io, pool.send(get("/" + std::to_string(i))),
                     [](std::exception_ptr, http::response) {});
    }
    io.run_for(100ms);
    BOOST_TEST(pool.open_connections() == 1u);
  }  // the pool, then the io_context with three suspended requests, are destroyed
  for (int i = 0; i < 200 && server.open_connections() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST(server.open_connections() == 0u);
}

BOOST_AUTO_TEST_CASE(unusable_options_are_refused_when_the_pool_is_made) {
  asio::io_context io;
  const auto target = http::endpoint::parse("http://127.0.0.1:1");
  http::client_options no_connections = quick_options();
  no_connections.max_connections = 0;
  BOOST_CHECK_THROW(http::connection_pool(io.get_executor(), target, no_connections),
                    std::invalid_argument);
  http::client_options no_time = quick_options();
  no_time.request_timeout = 0ms;
  BOOST_CHECK_THROW(http::connection_pool(io.get_executor(), target, no_time),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(destroying_the_pool_closes_idle_connections) {
  local_http_server server(echo);
  asio::io_context io;
  {
    http::connection_pool pool(io.get_executor(), http::endpoint::parse(server.url()),
                               quick_options());
    BOOST_REQUIRE(send_once(io, pool, get("/")).response);
  }
  for (int i = 0; i < 200 && server.open_connections() != 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  BOOST_TEST(server.open_connections() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
