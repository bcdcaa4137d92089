#include "local_http_server.hpp"

#include <atomic>
#include <exception>
#include <future>
#include <list>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "loopback_listener.hpp"

namespace evstore::test {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// What close_idle_connections() and the idle timer need to reach a connection.
struct session_state {
  explicit session_state(tcp::socket& s) : socket(s), idle_timer(s.get_executor()) {}
  tcp::socket& socket;
  asio::steady_timer idle_timer;
  bool idle = false;
  bool close_requested = false;   // close once the response in progress is written
  std::uint64_t idle_period = 0;  // tells a stale idle-timer expiry from the current one
};

void close_socket(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

http::request to_request(const beast_http::request<beast_http::string_body>& in) {
  http::request out;
  out.method = std::string(in.method_string());
  out.target = std::string(in.target());
  for (const auto& field : in) {
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  out.body = in.body();
  return out;
}

}  // namespace

class local_http_server::impl {
 public:
  impl(handler handle, std::optional<tls_identity> tls) : handle_(std::move(handle)) {
    if (tls) {
      ssl_.emplace(asio::ssl::context::tls_server);
      ssl_->use_certificate_chain(asio::buffer(tls->certificate_chain_pem));
      ssl_->use_private_key(asio::buffer(tls->private_key_pem), asio::ssl::context::pem);
    }
    // A connection that fails (even by a handler answering a status Beast rejects) just ends.
    listener_.start([this](tcp::socket socket) { return serve_connection(std::move(socket)); });
  }

  const loopback_listener& listener() const noexcept { return listener_; }
  bool tls() const noexcept { return ssl_.has_value(); }

  void close_idle_connections() {
    std::promise<void> done;
    asio::post(listener_.io(), [&] {
      for (session_state* s : sessions_) {
        if (s->idle) {
          close_socket(s->socket);
        } else {
          s->close_requested = true;
        }
      }
      done.set_value();
    });
    done.get_future().wait();
  }

  std::atomic<std::size_t> requests{0};
  std::atomic<std::int64_t> response_delay_ms{0};
  std::atomic<std::int64_t> idle_timeout_ms{0};
  std::atomic<bool> close_after_response{false};
  std::atomic<std::size_t> requests_to_drop{0};

 private:
  asio::awaitable<void> serve_connection(tcp::socket socket) {
    if (ssl_) {
      asio::ssl::stream<tcp::socket> stream(std::move(socket), *ssl_);
      auto [ec] =
          co_await stream.async_handshake(asio::ssl::stream_base::server, as_tuple_awaitable);
      if (!ec) co_await serve_requests(stream, stream.next_layer());
      close_socket(stream.next_layer());
    } else {
      co_await serve_requests(socket, socket);
      close_socket(socket);
    }
  }

  template <class Stream>
  asio::awaitable<void> serve_requests(Stream& stream, tcp::socket& socket) {
    auto state = std::make_shared<session_state>(socket);
    sessions_.push_back(state.get());
    struct registration_guard {
      std::list<session_state*>& sessions;
      std::list<session_state*>::iterator position;
      ~registration_guard() { sessions.erase(position); }
    } registration{sessions_, std::prev(sessions_.end())};
    boost::beast::flat_buffer buffer;
    asio::steady_timer delay_timer(listener_.io());
    for (;;) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.body_limit(std::uint64_t{1} << 30);
      begin_idle(state);
      auto [read_error, read_bytes] =
          co_await beast_http::async_read(stream, buffer, parser, as_tuple_awaitable);
      state->idle = false;
      state->idle_timer.cancel();
      if (read_error) break;
      ++requests;
      std::size_t drop = requests_to_drop.load();
      while (drop > 0 && !requests_to_drop.compare_exchange_weak(drop, drop - 1)) {
      }
      if (drop > 0) break;

      const auto& in = parser.get();
      if (const auto delay = response_delay_ms.load(); delay > 0) {
        delay_timer.expires_after(std::chrono::milliseconds(delay));
        co_await delay_timer.async_wait(as_tuple_awaitable);
      }
      http::response answer;
      try {
        answer = handle_(to_request(in));
      } catch (const std::exception& e) {
        answer = {500, {{"Content-Type", "text/plain"}}, e.what()};
      }

      beast_http::response<beast_http::string_body> out;
      out.version(11);
      out.result(answer.status);
      for (const http::header& h : answer.headers) out.insert(h.name, h.value);
      const bool keep_alive = in.keep_alive() && !close_after_response.load() &&
                              !state->close_requested && out.keep_alive();
      out.keep_alive(keep_alive);
      const bool head = in.method() == beast_http::verb::head;
      if (out.find(beast_http::field::content_length) == out.end()) {
        out.content_length(answer.body.size());
      }
      if (!head) out.body() = std::move(answer.body);

      boost::system::error_code write_error;
      if (head) {
        beast_http::response_serializer<beast_http::string_body> serializer(out);
        std::tie(write_error, std::ignore) =
            co_await beast_http::async_write_header(stream, serializer, as_tuple_awaitable);
      } else {
        std::tie(write_error, std::ignore) =
            co_await beast_http::async_write(stream, out, as_tuple_awaitable);
      }
      if (write_error || !keep_alive || state->close_requested) break;
    }
  }

  void begin_idle(const std::shared_ptr<session_state>& state) {
    state->idle = true;
    const std::uint64_t period = ++state->idle_period;
    const auto timeout = idle_timeout_ms.load();
    if (timeout <= 0) return;
    state->idle_timer.expires_after(std::chrono::milliseconds(timeout));
    state->idle_timer.async_wait([state, period](boost::system::error_code ec) {
      if (!ec && state->idle && state->idle_period == period) close_socket(state->socket);
    });
  }

  handler handle_;
  std::list<session_state*> sessions_;  // touched on the server thread only
  std::optional<asio::ssl::context> ssl_;
  loopback_listener listener_;  // last: destroying it destroys the connection coroutines
};

local_http_server::local_http_server(handler handle, std::optional<tls_identity> tls)
    : impl_(std::make_unique<impl>(std::move(handle), std::move(tls))) {}

local_http_server::~local_http_server() = default;

std::uint16_t local_http_server::port() const noexcept {
  return impl_->listener().port();
}

std::string local_http_server::url(std::string_view host) const {
  return (impl_->tls() ? "https://" : "http://") + std::string(host) + ":" + std::to_string(port());
}

std::size_t local_http_server::connections_accepted() const noexcept {
  return impl_->listener().connections_accepted();
}
std::size_t local_http_server::open_connections() const noexcept {
  return impl_->listener().open_connections();
}
std::size_t local_http_server::peak_open_connections() const noexcept {
  return impl_->listener().peak_open_connections();
}
std::size_t local_http_server::requests_received() const noexcept {
  return impl_->requests;
}

void local_http_server::set_response_delay(std::chrono::milliseconds delay) noexcept {
  impl_->response_delay_ms = delay.count();
}
void local_http_server::set_close_after_response(bool close) noexcept {
  impl_->close_after_response = close;
}
void local_http_server::set_idle_timeout(std::chrono::milliseconds timeout) noexcept {
  impl_->idle_timeout_ms = timeout.count();
}
void local_http_server::drop_next_requests(std::size_t count) noexcept {
  impl_->requests_to_drop = count;
}
void local_http_server::close_idle_connections() {
  impl_->close_idle_connections();
}

}  // namespace evstore::test
