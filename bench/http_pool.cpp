// Requests per second through http::connection_pool against a minimal in-process HTTP/1.1
// server (fixed 2-byte answer, its own thread), so the figure is mostly the client's cost.
// Usage: bench_http_pool [requests_per_worker=20000]

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "evstore/http/client.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view canned_response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Answers every request head (the bench sends bodiless GETs) with the canned response.
asio::awaitable<void> serve(tcp::socket socket) {
  asio::streambuf buffer;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(socket, buffer, "\r\n\r\n",
                                                   asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    buffer.consume(n);
    auto [write_error, written] = co_await asio::async_write(socket, asio::buffer(canned_response),
                                                             asio::as_tuple(asio::use_awaitable));
    if (write_error) co_return;
  }
}

asio::awaitable<void> accept_all(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> worker(evstore::http::connection_pool& pool, int requests, int& failures) {
  for (int i = 0; i < requests; ++i) {
    evstore::http::request req{"GET", "/bench", {}, {}};
    const evstore::http::response res = co_await pool.send(std::move(req));
    if (res.status != 200 || res.body != "ok") ++failures;
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int requests_per_worker = argc > 1 ? std::atoi(argv[1]) : 20000;
  asio::io_context server_io(1);
  tcp::acceptor acceptor(server_io, {asio::ip::make_address("127.0.0.1"), 0});
  const unsigned short port = acceptor.local_endpoint().port();
  asio::co_spawn(server_io, accept_all(acceptor), asio::detached);
  std::thread server_thread([&] { server_io.run(); });

  std::printf("workers  connections  requests  seconds  requests/s  us/request\n");
  for (const auto& [workers, connections] : {std::pair{1, 1}, std::pair{8, 8}, std::pair{64, 8}}) {
    asio::io_context io(1);
    evstore::http::client_options options;
    options.max_connections = static_cast<std::size_t>(connections);
    evstore::http::connection_pool pool(
        io.get_executor(),
        evstore::http::endpoint::parse("http://127.0.0.1:" + std::to_string(port)), options);
    int failures = 0;
    for (int w = 0; w < workers; ++w) {
      asio::co_spawn(io, worker(pool, requests_per_worker / workers, failures), asio::detached);
    }
    const auto start = std::chrono::steady_clock::now();
    io.run();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int total = requests_per_worker / workers * workers;
    std::printf("%7d  %11d  %8d  %7.3f  %10.0f  %10.2f%s\n", workers, connections, total, seconds,
                total / seconds, seconds * 1e6 / total, failures ? "  (failures!)" : "");
  }
  server_io.stop();
  server_thread.join();
}
