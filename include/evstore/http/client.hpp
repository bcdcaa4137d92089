#pragma once
// A keep-alive connection pool for one endpoint: `co_await pool.send(request)`.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/http/endpoint.hpp"
#include "evstore/http/message.hpp"

namespace evstore::http {

struct client_options {
  std::size_t max_connections = 16;
  std::chrono::milliseconds connect_timeout{5000};
  /// Whole request: waiting for a connection, writing, reading the full response.
  std::chrono::milliseconds request_timeout{30000};
  std::size_t max_response_body = 64 * 1024 * 1024;
  /// PEM file of trusted CAs; the system trust store when empty.
  std::string ca_file;
  /// An idle connection older than this is closed rather than reused: servers drop idle
  /// keep-alive connections, and reusing one that was dropped costs a resend.
  std::chrono::milliseconds max_idle_time{20000};
};

class connection_pool_impl;

/// Owns up to max_connections connections to one endpoint. Requests beyond that wait, first
/// come first served, for a free connection. Failures throw boost::system::system_error with an
/// http::errc (see error.hpp), or asio::error::operation_aborted when cancelled; the message
/// names the endpoint, never a header value.
///
/// Threading: not thread-safe. Call send() only from coroutines running on the pool's executor,
/// which must not run handlers concurrently (an io_context run by one thread, or a strand).
/// Use one pool per thread to spread load over threads.
///
/// Resending: a request that fails on a reused keep-alive connection before any response byte
/// arrives (the server had closed the idle connection) is sent once more on a new connection.
/// Nothing else is retried here; retry policy belongs to the caller.
///
/// With GCC 12 build a named request and std::move it in (docs/api.md, "GCC 12").
class connection_pool {
 public:
  /// Opens nothing yet. Throws std::invalid_argument for max_connections 0, a non-positive
  /// timeout, or a ca_file (or system trust store) that cannot be loaded.
  connection_pool(boost::asio::any_io_executor executor, endpoint target, client_options options);
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// Sends the request and reads the whole response, adding Host (endpoint authority) when
  /// absent and Content-Length. Cancellable through the awaiting coroutine's cancellation slot
  /// (terminal cancellation; the connection in use is then closed, never reused). An interim
  /// 1xx response is skipped. request_timeout covers waiting for a connection, connecting, and
  /// the exchange.
  boost::asio::awaitable<response> send(request req);

  /// Closes the idle connections now and each busy one when its request ends (none goes back
  /// to the pool any more). For an orderly shutdown; later requests still work, each on a
  /// connection of its own.
  void close() noexcept;

  const endpoint& target() const noexcept;
  /// Connections currently open (idle or busy) or being opened; never above max_connections.
  std::size_t open_connections() const noexcept;
  /// Connections ever opened, for tests and metrics.
  std::size_t connections_opened() const noexcept;

 private:
  std::shared_ptr<connection_pool_impl> impl_;
};

}  // namespace evstore::http
