#pragma once
// The listening half of the in-process test servers (local_http_server, fault_proxy): a TCP
// acceptor on 127.0.0.1 (ephemeral port), and the io_context, run on its own thread, that
// accepts connections, counts them, and serves each in its own coroutine.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace evstore::test {

class loopback_listener {
 public:
  /// Serves one connection (TCP_NODELAY already set) on the listener's thread. An exception
  /// just ends the connection.
  using connection_handler =
      std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

  /// Binds and listens at once, so port() is known; nothing is accepted before start(). A
  /// connection arriving while `max_connections` are open is closed at once, uncounted.
  explicit loopback_listener(std::size_t max_connections = std::numeric_limits<std::size_t>::max());
  /// Stops and joins the thread, then destroys the io_context and with it every coroutine
  /// still serving a connection: declare the listener after what those coroutines touch.
  ~loopback_listener();
  loopback_listener(const loopback_listener&) = delete;
  loopback_listener& operator=(const loopback_listener&) = delete;

  /// Starts the thread accepting connections (once, when the owner is ready to serve them).
  void start(connection_handler serve);

  boost::asio::io_context& io() noexcept { return io_; }
  std::uint16_t port() const noexcept { return port_; }

  /// Connections accepted (and served) since start.
  std::size_t connections_accepted() const noexcept { return accepted_; }
  /// Connections open now, and the most ever open at once.
  std::size_t open_connections() const noexcept { return open_; }
  std::size_t peak_open_connections() const noexcept { return peak_open_; }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve_counted(boost::asio::ip::tcp::socket socket);

  const std::size_t max_connections_;
  // Before io_: the coroutines it destroys count themselves out.
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> open_{0};
  std::atomic<std::size_t> peak_open_{0};
  connection_handler serve_;
  boost::asio::io_context io_{1};
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace evstore::test
