#include "loopback_listener.hpp"

#include <exception>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace evstore::test {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

loopback_listener::loopback_listener(std::size_t max_connections)
    : max_connections_(max_connections) {
  acceptor_.open(tcp::v4());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind({asio::ip::make_address_v4("127.0.0.1"), 0});
  acceptor_.listen();
  port_ = acceptor_.local_endpoint().port();
}

loopback_listener::~loopback_listener() {
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

void loopback_listener::start(connection_handler serve) {
  serve_ = std::move(serve);
  asio::co_spawn(io_, accept_loop(), [](std::exception_ptr) {});
  thread_ = std::thread([this] { io_.run(); });
}

asio::awaitable<void> loopback_listener::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      continue;
    }
    if (open_ >= max_connections_) {
      boost::system::error_code ignored;
      socket.close(ignored);
      continue;
    }
    ++accepted_;
    const std::size_t now_open = ++open_;
    std::size_t peak = peak_open_.load();
    while (now_open > peak && !peak_open_.compare_exchange_weak(peak, now_open)) {
    }
    asio::co_spawn(io_, serve_counted(std::move(socket)), [](std::exception_ptr) {});
  }
}

asio::awaitable<void> loopback_listener::serve_counted(tcp::socket socket) {
  // Runs however the coroutine ends: normally, by exception, or destroyed with io_.
  struct open_count_guard {
    std::atomic<std::size_t>& open;
    ~open_count_guard() { --open; }
  } guard{open_};
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  co_await serve_(std::move(socket));
}

}  // namespace evstore::test
