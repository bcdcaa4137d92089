#pragma once
// An in-process HTTP/1.1 server on 127.0.0.1 (ephemeral port) for tests, running its own
// io_context on its own thread. Keep-alive by default; knobs let a test make the server slow,
// close connections, or drop requests, and counters let it check what the client did.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/http/message.hpp"

namespace evstore::test {

/// A certificate chain and its private key, both PEM text.
struct tls_identity {
  std::string certificate_chain_pem;
  std::string private_key_pem;
};

class local_http_server {
 public:
  /// Called on the server thread, one request at a time (calls never overlap). An exception
  /// becomes a 500 response whose body is its message. The server sets Content-Length unless
  /// the handler did (a handler answering HEAD may set it for the body it leaves out).
  using handler = std::function<http::response(const http::request&)>;

  /// Starts listening at once; serves HTTPS when `tls` is given, plain HTTP otherwise.
  explicit local_http_server(handler handle, std::optional<tls_identity> tls = std::nullopt);
  /// Stops the server thread and drops every connection.
  ~local_http_server();
  local_http_server(const local_http_server&) = delete;
  local_http_server& operator=(const local_http_server&) = delete;

  std::uint16_t port() const noexcept;
  /// "http://127.0.0.1:<port>" (or https), or with another host name such as "localhost".
  std::string url(std::string_view host = "127.0.0.1") const;

  /// TCP connections accepted since start.
  std::size_t connections_accepted() const noexcept;
  /// TCP connections open now, and the most ever open at once.
  std::size_t open_connections() const noexcept;
  std::size_t peak_open_connections() const noexcept;
  /// Complete requests read (including dropped ones).
  std::size_t requests_received() const noexcept;

  /// Waits this long after reading a request before calling the handler.
  void set_response_delay(std::chrono::milliseconds delay) noexcept;
  /// Answers with "Connection: close" and closes after each response.
  void set_close_after_response(bool close) noexcept;
  /// Closes a connection that stays idle (no request arriving) this long; zero disables.
  void set_idle_timeout(std::chrono::milliseconds timeout) noexcept;
  /// Reads the next `count` requests and closes their connections without a response byte.
  void drop_next_requests(std::size_t count) noexcept;
  /// Closes every connection now waiting for its next request, and every other one once its
  /// response in progress is written (so a client that just got a response sees its connection
  /// closed). Returns once the idle ones are closed.
  void close_idle_connections();

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace evstore::test
