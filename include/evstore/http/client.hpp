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
};

class connection_pool_impl;

/// Owns up to max_connections connections to one endpoint. Requests beyond that wait for a
/// free connection. Failures throw boost::system::system_error with an http::errc or an Asio
/// error; the message names the endpoint, never a header value.
class connection_pool {
 public:
  connection_pool(boost::asio::any_io_executor executor, endpoint target, client_options options);
  ~connection_pool();
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// Sends the request and reads the whole response. Cancellable through the awaiting
  /// coroutine's cancellation slot.
  boost::asio::awaitable<response> send(request req);

  const endpoint& target() const noexcept;
  /// Connections currently open (idle or busy).
  std::size_t open_connections() const noexcept;
  /// Connections ever opened, for tests and metrics.
  std::size_t connections_opened() const noexcept;

 private:
  std::shared_ptr<connection_pool_impl> impl_;
};

}  // namespace evstore::http
