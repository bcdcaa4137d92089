// Fuzzes the http layer's response path with the bytes a server sends: each input is served,
// over a loopback TCP connection, as the whole response to a GET and then to a HEAD sent through
// http::connection_pool (so with the pool's parser options: header and body limits, interim
// responses, keep-alive). The server closes its side after the bytes, so every input ends in a
// response or an http::errc error, never a wait. Seeds: the recorded S3 and DynamoDB responses
// in test/data as they were on the wire.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "evstore/http/client.hpp"
#include "evstore/http/error.hpp"
#include "fuzz_support.hpp"

namespace asio = boost::asio;
namespace http = evstore::http;
using asio::ip::tcp;
using evstore::fuzz::fail;

namespace {

constexpr std::size_t max_response_body = 64 * 1024;

struct loopback {
  asio::io_context context;
  tcp::acceptor acceptor{context, tcp::endpoint(asio::ip::address_v4::loopback(), 0)};
};

loopback& server() {
  static loopback instance;
  return instance;
}

/// Reads the request head, sends `bytes`, half-closes, and waits for the client to close. The
/// reset on close (linger 0) leaves no TIME_WAIT behind: the run makes many connections.
asio::awaitable<void> serve(tcp::acceptor& acceptor, std::string_view bytes) {
  tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
  std::string request;
  boost::system::error_code ec;
  co_await asio::async_read_until(socket, asio::dynamic_buffer(request, 64 * 1024), "\r\n\r\n",
                                  asio::redirect_error(asio::use_awaitable, ec));
  if (!ec) {
    co_await asio::async_write(socket, asio::buffer(bytes.data(), bytes.size()),
                               asio::redirect_error(asio::use_awaitable, ec));
  }
  socket.shutdown(tcp::socket::shutdown_send, ec);
  char drain[4096];
  while (!ec) {
    co_await socket.async_read_some(asio::buffer(drain),
                                    asio::redirect_error(asio::use_awaitable, ec));
  }
  socket.set_option(asio::socket_base::linger(true, 0), ec);
  socket.close(ec);
}

/// Sends one request through a new pool (so no connection is reused across inputs) and checks
/// what the pool makes of the response: a response within its limits, or an http::errc.
asio::awaitable<void> fetch(http::endpoint target, std::string method) {
  http::client_options options;
  options.max_connections = 1;
  options.connect_timeout = std::chrono::seconds(10);
  options.request_timeout = std::chrono::seconds(10);
  options.max_response_body = max_response_body;
  http::connection_pool pool(co_await asio::this_coro::executor, std::move(target), options);
  const bool head = method == "HEAD";
  http::request request;
  request.method = std::move(method);
  request.target = "/fuzz";
  http::response response;
  try {
    response = co_await pool.send(std::move(request));
  } catch (const boost::system::system_error& error) {
    const boost::system::error_code code = error.code();
    if (code.category() != http::http_category()) {
      std::fprintf(stderr, "fuzz: undocumented error category '%s' (%d): %s\n",
                   code.category().name(), code.value(), error.what());
      std::abort();
    }
    // The server always answers and closes: failing to connect is this harness's problem,
    // timing out is a hang.
    if (code == http::errc::connect_failed || code == http::errc::connect_timeout)
      fail(std::string("loopback connection failed: ") + error.what());
    if (code == http::errc::request_timeout) fail(std::string("hang: ") + error.what());
    co_return;
  }
  if (response.status < 100 || response.status > 999) fail("a status outside 100-999");
  if (response.status < 200 && response.status != 101) fail("an interim response returned");
  if (response.body.size() > max_response_body) fail("a body above max_response_body");
  if (head && !response.body.empty()) fail("a body in the response to HEAD");
}

void exchange(std::string_view bytes, const char* method) {
  loopback& local = server();
  http::endpoint target;
  target.tls = false;
  target.host = "127.0.0.1";
  target.port = local.acceptor.local_endpoint().port();
  auto rethrow = [](std::exception_ptr error) {
    if (error) std::rethrow_exception(error);
  };
  asio::co_spawn(local.context, serve(local.acceptor, bytes), rethrow);
  asio::co_spawn(local.context, fetch(std::move(target), method), rethrow);
  local.context.run();
  local.context.restart();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = evstore::fuzz::as_text(data, size);
  exchange(bytes, "GET");
  exchange(bytes, "HEAD");
  return 0;
}
