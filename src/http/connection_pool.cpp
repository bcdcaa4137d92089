#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/system_error.hpp>

#include "connection.hpp"
#include "evstore/http/client.hpp"
#include "evstore/http/error.hpp"
#include "http/ascii.hpp"
#include "http/request_head.hpp"
#include "tls.hpp"

namespace evstore::http {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using boost::system::error_code;
using boost::system::system_error;
using detail::clock;
using detail::connection;

namespace {

// Errors that mean the server had closed the connection: on a reused connection, before any
// response byte, they are the race with the server's idle timeout, and the request is resent.
bool is_closed_connection_error(const error_code& ec) noexcept {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::error::not_connected || ec == beast_http::error::end_of_stream ||
         ec == beast_http::error::partial_message || ec == asio::ssl::error::stream_truncated;
}

bool is_malformed_response_error(const error_code& ec) noexcept {
  return ec.category() == make_error_code(beast_http::error::end_of_stream).category();
}

std::string milliseconds_text(std::chrono::milliseconds duration) {
  return std::to_string(duration.count()) + " ms";
}

}  // namespace

class connection_pool_impl {
 public:
  connection_pool_impl(asio::any_io_executor executor, endpoint target, client_options options)
      : executor_(std::move(executor)),
        target_(std::move(target)),
        options_(std::move(options)),
        authority_(target_.authority()),
        url_((target_.tls ? "https://" : "http://") + authority_) {
    if (options_.max_connections == 0) {
      throw std::invalid_argument("client_options::max_connections must be at least 1 (for " +
                                  url_ + ")");
    }
    if (options_.connect_timeout.count() <= 0 || options_.request_timeout.count() <= 0) {
      throw std::invalid_argument("client_options::connect_timeout and request_timeout must be " +
                                  std::string("positive (for ") + url_ + ")");
    }
    if (target_.tls) tls_context_.emplace(make_client_tls_context(options_.ca_file));
  }

  const endpoint& target() const noexcept { return target_; }
  std::size_t open_connections() const noexcept { return slots_; }
  std::size_t connections_opened() const noexcept { return opened_; }

  // Closes the idle connections; requests in flight finish, then close theirs.
  void shut_down() noexcept {
    shut_down_ = true;
    for (const auto& idle : idle_) idle->close();
    slots_ -= idle_.size();
    idle_.clear();
  }

  asio::awaitable<response> send(std::shared_ptr<connection_pool_impl> self, request req);

 private:
  // A slot among max_connections, with its connection once opened. Destroying a lease that was
  // not recycled closes the connection and frees the slot for the next waiter.
  class lease {
   public:
    lease(connection_pool_impl* pool, std::shared_ptr<connection> conn) noexcept
        : pool_(pool), conn_(std::move(conn)) {}
    lease(lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    lease& operator=(lease&&) = delete;
    ~lease() {
      if (pool_) pool_->discard(std::move(conn_));
    }

    std::shared_ptr<connection>& conn() noexcept { return conn_; }
    /// Back to the pool for the next request.
    void recycle() {
      pool_->recycle(std::move(conn_));
      pool_ = nullptr;
    }
    /// Closes the connection but keeps the slot, to open a new one in it.
    void drop_connection() noexcept {
      conn_->close();
      conn_.reset();
    }

   private:
    connection_pool_impl* pool_;
    std::shared_ptr<connection> conn_;
  };

  // A request queued for a slot. The timer expires at the request deadline; cancelling it
  // means the slot was granted.
  struct waiter {
    asio::steady_timer timer;
    bool granted = false;              // by then out of the queue
    bool taken = false;                // the grant became this request's lease
    std::shared_ptr<connection> conn;  // null: a free slot to open a connection in
  };

  asio::awaitable<lease> acquire(clock::time_point now, clock::time_point deadline);
  asio::awaitable<void> open_connection(lease& slot, clock::time_point deadline);
  [[noreturn]] void throw_request_timeout(const std::string& during) const;
  [[noreturn]] void throw_exchange_error(const connection& conn, const error_code& ec) const;

  void grant_to_first_waiter(std::shared_ptr<connection> conn) {
    waiter* first = waiters_.front();
    waiters_.pop_front();
    first->granted = true;
    first->conn = std::move(conn);
    first->timer.cancel();
  }

  void recycle(std::shared_ptr<connection> conn) {
    if (shut_down_) return discard(std::move(conn));
    if (!waiters_.empty()) return grant_to_first_waiter(std::move(conn));
    conn->set_idle_since(clock::now());
    idle_.push_back(std::move(conn));
  }

  // Idle connections are in the order they went idle, so the expired ones come first. No
  // request waits while connections are idle: their slots are simply freed.
  void close_expired_idle(clock::time_point now) noexcept {
    const auto first_fresh =
        std::find_if(idle_.begin(), idle_.end(), [&](const std::shared_ptr<connection>& c) {
          return now - c->idle_since() < options_.max_idle_time;
        });
    for (auto it = idle_.begin(); it != first_fresh; ++it) (*it)->close();
    slots_ -= static_cast<std::size_t>(first_fresh - idle_.begin());
    idle_.erase(idle_.begin(), first_fresh);
  }

  void discard(std::shared_ptr<connection> conn) noexcept {
    if (conn) conn->close();
    if (!waiters_.empty()) {
      grant_to_first_waiter(nullptr);
    } else {
      --slots_;
    }
  }

  asio::any_io_executor executor_;
  endpoint target_;
  client_options options_;
  std::string authority_;
  std::string url_;  // scheme and authority, for error messages
  std::optional<asio::ssl::context> tls_context_;
  std::vector<std::shared_ptr<connection>> idle_;  // most recently used last
  std::deque<waiter*> waiters_;                    // first come, first served
  std::size_t slots_ = 0;                          // connections open or being opened
  std::size_t opened_ = 0;
  bool shut_down_ = false;
};

asio::awaitable<connection_pool_impl::lease> connection_pool_impl::acquire(
    clock::time_point now, clock::time_point deadline) {
  close_expired_idle(now);
  if (!idle_.empty()) {
    std::shared_ptr<connection> conn = std::move(idle_.back());
    idle_.pop_back();
    co_return lease(this, std::move(conn));
  }
  if (waiters_.empty() && slots_ < options_.max_connections) {
    ++slots_;
    co_return lease(this, nullptr);
  }

  waiter self{asio::steady_timer(executor_, deadline), false, false, nullptr};
  waiters_.push_back(&self);
  // Leaves the queue however this coroutine ends; a slot granted but not taken goes back.
  struct queue_exit {
    connection_pool_impl* pool;
    waiter* self;
    ~queue_exit() {
      if (self->granted) {
        if (self->taken) return;
        if (self->conn) {
          pool->recycle(std::move(self->conn));
        } else {
          pool->discard(nullptr);
        }
      } else {
        auto& queue = pool->waiters_;
        queue.erase(std::find(queue.begin(), queue.end(), self));
      }
    }
  } exit{this, &self};

  auto [ec] = co_await self.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  // A slot granted when the deadline has passed goes to the next waiter instead.
  if (self.granted && clock::now() < deadline) {
    self.taken = true;
    co_return lease(this, std::move(self.conn));
  }
  if (ec == asio::error::operation_aborted && !self.granted) {
    throw system_error(ec, "request to " + url_ + " cancelled while waiting for a connection");
  }
  throw_request_timeout("waiting for a free connection (all " +
                        std::to_string(options_.max_connections) +
                        " busy; raise client_options::max_connections)");
}

asio::awaitable<void> connection_pool_impl::open_connection(lease& slot,
                                                            clock::time_point deadline) {
  const clock::time_point connect_deadline =
      std::min(deadline, clock::now() + options_.connect_timeout);
  auto conn = std::make_shared<connection>(executor_, tls_context_ ? &*tls_context_ : nullptr);
  slot.conn() = conn;
  const detail::open_result opened = co_await conn->open(target_, connect_deadline);
  if (!opened.error) {
    ++opened_;
    co_return;
  }
  const error_code& ec = opened.error;
  if (ec == asio::error::operation_aborted) {
    throw system_error(ec, "connecting to " + url_ + " cancelled");
  }
  if (ec == errc::connect_timeout && connect_deadline == deadline) {
    throw_request_timeout(opened.detail);
  }
  if (ec == errc::connect_timeout) {
    throw system_error(ec, "connecting to " + url_ + " timed out after " +
                               milliseconds_text(options_.connect_timeout) + " " + opened.detail +
                               "; check that the endpoint is reachable, or raise "
                               "client_options::connect_timeout");
  }
  if (ec == errc::tls_handshake_failed) {
    throw system_error(ec, "TLS handshake with " + url_ + " failed: " + opened.detail +
                               "; check the endpoint host name and client_options::ca_file");
  }
  if (ec == errc::resolve_failed) {
    throw system_error(ec, "cannot resolve the host of " + url_ + ": " + opened.detail +
                               "; check the endpoint URL and DNS");
  }
  throw system_error(ec, "cannot connect to " + url_ + ": " + opened.detail +
                             "; check that a server listens there");
}

void connection_pool_impl::throw_request_timeout(const std::string& during) const {
  throw system_error(errc::request_timeout,
                     "request to " + url_ + " timed out after " +
                         milliseconds_text(options_.request_timeout) + " " + during +
                         "; retry, or raise client_options::request_timeout");
}

void connection_pool_impl::throw_exchange_error(const connection& conn,
                                                const error_code& ec) const {
  if (conn.timed_out()) throw_request_timeout("waiting for the response");
  if (ec == asio::error::operation_aborted) {
    throw system_error(ec, "request to " + url_ + " cancelled");
  }
  if (ec == beast_http::error::body_limit) {
    throw system_error(errc::response_too_large,
                       "response from " + url_ + " exceeds " +
                           std::to_string(options_.max_response_body) +
                           " bytes; raise client_options::max_response_body");
  }
  if (is_closed_connection_error(ec)) {
    throw system_error(errc::connection_closed, "connection to " + url_ +
                                                    " closed before a complete response (" +
                                                    ec.message() + "); retry the request");
  }
  if (is_malformed_response_error(ec)) {
    throw system_error(errc::malformed_response,
                       "malformed HTTP response from " + url_ + " (" + ec.message() +
                           "); check that the endpoint is an HTTP/1.1 server");
  }
  throw system_error(ec, "request to " + url_ + " failed");
}

// `self` keeps the pool alive, in the coroutine frame, until the request completes.
asio::awaitable<response> connection_pool_impl::send(std::shared_ptr<connection_pool_impl> self,
                                                     request req) {
  static_cast<void>(self);
  const clock::time_point start = clock::now();
  const clock::time_point deadline = start + options_.request_timeout;
  lease slot = co_await acquire(start, deadline);
  for (;;) {
    if (!slot.conn()) co_await open_connection(slot, deadline);
    connection& conn = *slot.conn();
    try {
      write_request_head(req, authority_, conn.head_buffer());
    } catch (const system_error&) {
      slot.recycle();  // nothing was sent: the connection is as good as before
      throw;
    }
    if (clock::now() >= deadline) {
      slot.recycle();
      throw_request_timeout("before sending");
    }
    const bool reused = conn.exchanges() > 0;
    response res;
    const detail::exchange_result result =
        co_await conn.exchange(req, deadline, options_.max_response_body, res);
    if (!result.error) {
      if (result.keep_alive && !iequals(find_header(req.headers, "Connection"), "close")) {
        slot.recycle();
      }
      co_return res;
    }
    // Resent on a new connection, which is never `reused`: a request is resent at most once.
    if (reused && !result.response_started && !conn.timed_out() &&
        is_closed_connection_error(result.error)) {
      slot.drop_connection();
      continue;
    }
    throw_exchange_error(conn, result.error);
  }
}

connection_pool::connection_pool(asio::any_io_executor executor, endpoint target,
                                 client_options options)
    : impl_(std::make_shared<connection_pool_impl>(std::move(executor), std::move(target),
                                                   std::move(options))) {}

connection_pool::~connection_pool() {
  impl_->shut_down();
}

asio::awaitable<response> connection_pool::send(request req) {
  return impl_->send(impl_, std::move(req));
}

void connection_pool::close() noexcept {
  impl_->shut_down();
}

const endpoint& connection_pool::target() const noexcept {
  return impl_->target();
}
std::size_t connection_pool::open_connections() const noexcept {
  return impl_->open_connections();
}
std::size_t connection_pool::connections_opened() const noexcept {
  return impl_->connections_opened();
}

}  // namespace evstore::http
