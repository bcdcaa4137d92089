#include "connection.hpp"

#include <array>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "evstore/http/error.hpp"
#include "tls.hpp"

namespace evstore::http::detail {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);
// AWS response headers are small; this bounds memory for a misbehaving server.
constexpr std::uint32_t max_response_header_bytes = 64 * 1024;
// Up to this size a request body is copied after the head for a single TLS write.
constexpr std::size_t max_coalesced_tls_body = 16 * 1024;
// Beast reads at most the read buffer's free capacity a time, and a default buffer stays near
// 512 bytes: a 120 KB BatchGetItem answer took about a hundred recv calls, each a completion
// through the executor. Reserved once per connection, it is read in a few.
constexpr std::size_t read_buffer_bytes = 64 * 1024;

}  // namespace

connection::connection(const asio::any_io_executor& executor, asio::ssl::context* tls)
    : socket_(executor), tls_context_(tls), deadline_timer_(executor) {
  buffer_.reserve(read_buffer_bytes);
}

void connection::arm(clock::time_point deadline) {
  const std::uint64_t phase = ++phase_;
  timed_out_ = false;
  deadline_timer_.expires_at(deadline);
  deadline_timer_.async_wait([weak = weak_from_this(), phase](error_code ec) {
    if (ec) return;
    const auto self = weak.lock();
    if (!self || self->phase_ != phase) return;
    self->timed_out_ = true;
    if (self->resolving_) self->resolving_->cancel();
    self->close();
  });
}

void connection::disarm() noexcept {
  ++phase_;
  deadline_timer_.cancel();
}

void connection::close() noexcept {
  error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<open_result> connection::open(const endpoint& target, clock::time_point deadline) {
  arm(deadline);
  std::vector<tcp::endpoint> addresses;
  error_code literal_error;
  const asio::ip::address literal = asio::ip::make_address(target.host, literal_error);
  if (!literal_error) {
    addresses.emplace_back(literal, target.port);
  } else {
    tcp::resolver resolver(socket_.get_executor());
    resolving_ = &resolver;
    auto [ec, results] = co_await resolver.async_resolve(target.host, std::to_string(target.port),
                                                         as_tuple_awaitable);
    resolving_ = nullptr;
    if (timed_out_) co_return open_result{errc::connect_timeout, "while resolving the host name"};
    if (ec == asio::error::operation_aborted) co_return open_result{ec, {}};
    if (ec) co_return open_result{errc::resolve_failed, ec.message()};
    for (const auto& entry : results) addresses.push_back(entry.endpoint());
  }

  error_code connect_error = asio::error::host_not_found;
  for (const tcp::endpoint& address : addresses) {
    socket_.open(address.protocol(), connect_error);
    if (connect_error) continue;
    std::tie(connect_error) = co_await socket_.async_connect(address, as_tuple_awaitable);
    if (!connect_error) break;
    close();
    if (timed_out_ || connect_error == asio::error::operation_aborted) break;
  }
  if (timed_out_) co_return open_result{errc::connect_timeout, "while connecting"};
  if (connect_error == asio::error::operation_aborted) co_return open_result{connect_error, {}};
  if (connect_error) co_return open_result{errc::connect_failed, connect_error.message()};
  socket_.set_option(tcp::no_delay(true), connect_error);

  if (tls_context_) {
    tls_stream_.emplace(socket_, *tls_context_);
    require_peer_name(tls_stream_->native_handle(), target.host);
    auto [ec] =
        co_await tls_stream_->async_handshake(asio::ssl::stream_base::client, as_tuple_awaitable);
    if (timed_out_) co_return open_result{errc::connect_timeout, "during the TLS handshake"};
    if (ec == asio::error::operation_aborted) co_return open_result{ec, {}};
    if (ec) {
      co_return open_result{errc::tls_handshake_failed,
                            describe_handshake_failure(tls_stream_->native_handle(), ec)};
    }
  }
  disarm();
  co_return open_result{};
}

asio::awaitable<exchange_result> connection::exchange(const request& req,
                                                      clock::time_point deadline,
                                                      std::size_t max_body, response& out) {
  arm(deadline);
  exchange_result result = tls_stream_ ? co_await exchange_on(*tls_stream_, req, max_body, out)
                                       : co_await exchange_on(socket_, req, max_body, out);
  if (!result.error) {
    disarm();
    ++exchanges_;
  }
  co_return result;
}

template <class Stream>
asio::awaitable<exchange_result> connection::exchange_on(Stream& stream, const request& req,
                                                         std::size_t max_body, response& out) {
  exchange_result result;
  std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(req.body)};
  if constexpr (!std::is_same_v<Stream, tcp::socket>) {
    // TLS writes buffer by buffer: one record (and one syscall) for head and a small body.
    if (req.body.size() <= max_coalesced_tls_body) {
      head_ += req.body;
      buffers = {asio::buffer(head_), asio::const_buffer()};
    }
  }
  auto [write_error, written] = co_await asio::async_write(stream, buffers, as_tuple_awaitable);
  if (write_error) {
    result.error = write_error;
    result.response_started = buffer_.size() > 0;
    co_return result;
  }

  const bool head_request = req.method == "HEAD";
  for (;;) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.header_limit(max_response_header_bytes);
    parser.body_limit(max_body);
    parser.skip(head_request);
    auto [read_error, read] =
        co_await beast_http::async_read(stream, buffer_, parser, as_tuple_awaitable);
    result.response_started = result.response_started || parser.got_some() || buffer_.size() > 0;
    if (read_error) {
      result.error = read_error;
      co_return result;
    }
    auto& message = parser.get();
    const unsigned status = message.result_int();
    // Beast reads any three digits; HTTP status codes start at 100.
    if (status < 100) {
      result.error = beast_http::error::bad_status;
      co_return result;
    }
    if (status < 200 && status != 101) continue;

    out.status = status;
    out.headers.clear();
    for (const auto& field : message) {
      out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(message.body());
    result.keep_alive = message.keep_alive() && !message.need_eof();
    co_return result;
  }
}

}  // namespace evstore::http::detail
