#pragma once
// One client connection (plain TCP or TLS over TCP) that the pool opens, lends to one request
// at a time, and closes. A deadline timer closes the socket when the current phase (opening, or
// one request/response exchange) runs out of time; the caller's cancellation slot reaches each
// socket operation directly. Not thread-safe: used from the pool's single-threaded executor.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include "evstore/http/endpoint.hpp"
#include "evstore/http/message.hpp"

namespace evstore::http::detail {

using clock = std::chrono::steady_clock;

struct open_result {
  boost::system::error_code error;  ///< an http::errc, or operation_aborted when cancelled
  std::string detail;               ///< the underlying reason, for the error message
};

struct exchange_result {
  boost::system::error_code error;  ///< as reported by Asio/Beast/OpenSSL
  bool response_started = false;    ///< some response byte arrived before the error
  bool keep_alive = false;          ///< the connection may carry another request
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  /// `tls` is null for plain TCP; it must outlive the connection.
  connection(const boost::asio::any_io_executor& executor, boost::asio::ssl::context* tls);

  /// Resolves the host, connects to its first address that answers, and completes the TLS
  /// handshake (verifying the certificate for target.host), all before `deadline`.
  boost::asio::awaitable<open_result> open(const endpoint& target, clock::time_point deadline);

  /// Where the pool serializes the head of the next request (reused across requests).
  std::string& head_buffer() noexcept { return head_; }

  /// Writes head_buffer() and the request body, then reads one response into `out`, before
  /// `deadline`. Interim 1xx responses are skipped.
  boost::asio::awaitable<exchange_result> exchange(const request& req, clock::time_point deadline,
                                                   std::size_t max_body, response& out);

  /// Whether the last phase failed because its deadline passed.
  bool timed_out() const noexcept { return timed_out_; }
  /// Completed request/response exchanges: a reused connection has at least one.
  std::size_t exchanges() const noexcept { return exchanges_; }

  /// When the connection last went back to the pool.
  clock::time_point idle_since() const noexcept { return idle_since_; }
  void set_idle_since(clock::time_point when) noexcept { idle_since_ = when; }

  /// Stops the deadline timer of the last phase (before the connection goes idle).
  void disarm() noexcept;
  /// Closes the socket; pending operations complete with operation_aborted.
  void close() noexcept;

 private:
  void arm(clock::time_point deadline);
  template <class Stream>
  boost::asio::awaitable<exchange_result> exchange_on(Stream& stream, const request& req,
                                                      std::size_t max_body, response& out);

  boost::asio::ip::tcp::socket socket_;
  boost::asio::ssl::context* tls_context_;
  std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls_stream_;
  boost::asio::steady_timer deadline_timer_;
  boost::asio::ip::tcp::resolver* resolving_ = nullptr;
  std::uint64_t phase_ = 0;  // tells the current phase's timer expiry from a stale one
  bool timed_out_ = false;
  std::size_t exchanges_ = 0;
  clock::time_point idle_since_{};
  boost::beast::flat_buffer buffer_;
  std::string head_;
};

}  // namespace evstore::http::detail
