#include "evstore/aws/service_client.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "aws/clock_skew.hpp"
#include "evstore/aws/error.hpp"
#include "evstore/http/error.hpp"

namespace evstore::aws {

namespace asio = boost::asio;
using boost::system::system_error;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// Errors a new attempt cannot fix: the request itself cannot be sent, or the answer is
// bigger than the client accepts.
bool is_permanent(const boost::system::error_code& ec) {
  return ec == http::errc::invalid_request || ec == http::errc::response_too_large;
}

bool is_timeout(const boost::system::error_code& ec) {
  return ec == http::errc::request_timeout || ec == http::errc::connect_timeout ||
         ec == asio::error::timed_out;
}

// What an attempt met, for log lines: "ThrottlingException (HTTP 400)", "HTTP 503", or the
// transport error.
std::string describe_failure(const attempt_outcome& outcome,
                             const boost::system::error_code& transport_error) {
  if (outcome.transport_error) return transport_error.message();
  std::string text{outcome.error_code};
  text += text.empty() ? "HTTP " : " (HTTP ";
  text += std::to_string(outcome.status);
  if (!outcome.error_code.empty()) text += ')';
  return text;
}

// "2.5 s", "0.125 s": for messages.
std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g s", seconds);
  return text;
}

/// Attempts before a client that never got an answer gives up on an endpoint that cannot be
/// resolved or connected to: the standard mode's count.
constexpr unsigned attempts_to_reach_a_service = 3;

// A client that has never had a successful answer and still cannot resolve or connect to its
// endpoint is most likely pointed at the wrong place: that is reported after a few attempts
// rather than after the whole time without progress. Once it had an answer, the time bounds
// apply to these errors too.
bool never_reached(const boost::system::error_code& transport_error, steady_clock::rep last_success,
                   unsigned attempts_made) {
  return last_success == 0 && attempts_made >= attempts_to_reach_a_service &&
         (transport_error == http::errc::resolve_failed ||
          transport_error == http::errc::connect_failed);
}

// Counts a request once it ends, whichever way (response, exception, cancellation).
class request_recorder {
 public:
  explicit request_recorder(service_metrics& metrics)
      : metrics_(metrics), start_(std::chrono::steady_clock::now()) {}
  ~request_recorder() {
    metrics_.record_request(std::chrono::steady_clock::now() - start_, !succeeded_);
  }
  request_recorder(const request_recorder&) = delete;
  request_recorder& operator=(const request_recorder&) = delete;

  void succeeded() noexcept { succeeded_ = true; }

 private:
  service_metrics& metrics_;
  std::chrono::steady_clock::time_point start_;
  bool succeeded_ = false;
};

}  // namespace

class service_client_impl {
 public:
  service_client_impl(asio::any_io_executor executor, http::endpoint target, std::string region,
                      std::string service, std::shared_ptr<credentials_provider> credentials,
                      service_client_options options)
      : executor_(std::move(executor)),
        pool_(executor_, std::move(target), options.http),
        authority_(pool_.target().authority()),
        region_(std::move(region)),
        service_(std::move(service)),
        credentials_(std::move(credentials)),
        signer_(region_, service_, options.signing),
        policy_(options.retry, options.retry_seed),
        quota_(options.quota),
        limiter_(options.rate_limiter),
        clock_(std::move(options.clock)),
        metrics_(options.metrics ? std::move(options.metrics)
                                 : std::make_shared<service_metrics>()),
        log_(std::move(options.log)) {
    if (!clock_) clock_ = [] { return system_clock::now(); };
  }

// GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
// bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
  static asio::awaitable<http::response> send(std::shared_ptr<service_client_impl> self,
                                              http::request req, error_code_reader read_error_code,
                                              response_check intact) {
    if (!self->pool_.target().base_path.empty())
      req.target.insert(0, self->pool_.target().base_path);
    const unsigned max_attempts = self->policy_.options().max_attempts;
    const bool adaptive = self->policy_.options().mode == retry_mode::adaptive;
    request_recorder recorder{*self->metrics_};
    // The pool is not thread-safe: it is used only from the client's executor. A caller already
    // running there (the token forms, the repo's own coroutines) sends directly; any other is
    // carried over for each exchange, which costs a co_spawn.
    const bool on_executor = (co_await asio::this_coro::executor) == self->executor_;
    const steady_clock::time_point first_attempt = steady_clock::now();
    unsigned tokens_taken = 0;
    for (unsigned attempt = 1;; ++attempt) {
      if (adaptive) co_await self->pace();
      const steady_clock::time_point sent = steady_clock::now();
      const credentials creds = co_await self->credentials_->get();
      // Each attempt signs a fresh copy (new date, maybe new credentials); the last one
      // possible can take the original, body and all.
      http::request signed_req = max_attempts == 0 || attempt < max_attempts ? req : std::move(req);
      self->sign(signed_req, creds);

      std::optional<http::response> res;
      boost::system::error_code transport_error;
      std::string transport_detail;  // the transport's message: says why (e.g. which check)
      try {
        if (on_executor) {
          res = co_await self->pool_.send(std::move(signed_req));
        } else {
          res = co_await asio::co_spawn(self->executor_, self->pool_.send(std::move(signed_req)),
                                        asio::use_awaitable);
        }
      } catch (const system_error& e) {
        if (e.code() == asio::error::operation_aborted || is_permanent(e.code())) throw;
        transport_error = e.code();
        // Without the code's own text: the error thrown below appends it once.
        transport_detail = e.what();
        const std::string code_text = ": " + e.code().what();
        if (transport_detail.ends_with(code_text))
          transport_detail.resize(transport_detail.size() - code_text.size());
      }

      attempt_outcome outcome;
      std::string error_code;
      std::optional<system_clock::duration> server_offset;
      if (res) {
        outcome.status = res->status;
        if ((res->status < 200 || res->status >= 300) && read_error_code)
          error_code = read_error_code(*res);
        outcome.error_code = error_code;
        server_offset = server_clock_offset(*res, self->clock_());
        if (res->status >= 200 && res->status < 300 && intact && !intact(*res)) {
          // Damaged on the way: no answer to rely on, like a broken connection.
          outcome.transport_error = true;
          transport_error = http::errc::malformed_response;
          transport_detail = "the response failed its integrity check (x-amz-crc32)";
        }
      } else {
        outcome.transport_error = true;
        outcome.timed_out = is_timeout(transport_error);
      }
      const system_clock::duration current_offset = self->clock_offset();
      retry_class what =
          classify(outcome, server_offset && is_skewed(*server_offset - current_offset));
      self->metrics_->record_attempt(outcome, what);
      const steady_clock::time_point answered = steady_clock::now();
      if (adaptive) {
        self->limiter_.on_response(answered, what == retry_class::throttling, sent);
        self->metrics_->set_send_rate_limit(self->limiter_.fill_rate());
      }
      if (what == retry_class::success) {
        self->quota_.on_success(tokens_taken);
        self->last_success_.store(answered.time_since_epoch().count(), std::memory_order_relaxed);
        recorder.succeeded();
        co_return std::move(*res);
      }
      if (what == retry_class::clock_skew) {
        // Without the server's time there is nothing to correct, so a retry would fail alike.
        if (server_offset)
          self->clock_offset_.store(server_offset->count(), std::memory_order_relaxed);
        else
          what = retry_class::not_retryable;
      }

      const steady_clock::time_point progress =
          std::max(first_attempt, steady_clock::time_point{steady_clock::duration{
                                      self->last_success_.load(std::memory_order_relaxed)}});
      const retry_progress where{.attempts_made = attempt,
                                 .without_progress = answered - progress,
                                 .since_first_attempt = answered - first_attempt};
      const retry_decision decision =
          never_reached(transport_error, self->last_success_.load(std::memory_order_relaxed),
                        attempt)
              ? retry_decision{.reason = "the service was never reached"}
              : self->policy_.decide(what, where, self->quota_);
      self->log_attempt(outcome, transport_error, what, attempt, decision);
      if (!decision.retry) {
        if (res) co_return std::move(*res);
        const double seconds = std::chrono::duration<double>(where.since_first_attempt).count();
        throw system_error{transport_error,
                           "AWS " + self->service_ + " request to " + self->authority_ +
                               " failed after " + std::to_string(attempt) + " attempt" +
                               (attempt == 1 ? "" : "s") + " (" + std::string{decision.reason} +
                               ") over " + seconds_text(seconds) + ": " + transport_detail};
      }
      tokens_taken += decision.quota_cost;
      self->metrics_->record_retry();
      if (decision.delay.count() > 0) {
        const asio::any_io_executor executor = co_await asio::this_coro::executor;
        asio::steady_timer backoff{executor, decision.delay};
        co_await backoff.async_wait(asio::use_awaitable);
      }
    }
  }
#pragma GCC diagnostic pop

  // Waits until the rate limiter lets an attempt go; a wait is counted once, however many
  // times the token went to another attempt first.
  asio::awaitable<void> pace() {
    const steady_clock::time_point start = steady_clock::now();
    for (bool waited = false;; waited = true) {
      const steady_clock::time_point now = steady_clock::now();
      const steady_clock::duration wait = limiter_.try_acquire(now);
      if (wait <= steady_clock::duration::zero()) {
        if (waited) metrics_->record_rate_limit_wait(now - start);
        co_return;
      }
      const asio::any_io_executor executor = co_await asio::this_coro::executor;
      asio::steady_timer timer{executor, wait};
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  // Throttles and retryable errors given up on are warnings; other retries debug lines; errors
  // that are the caller's answer (a failed condition) are not logged here at all.
  void log_attempt(const attempt_outcome& outcome, const boost::system::error_code& transport_error,
                   retry_class what, unsigned attempt, const retry_decision& decision) const {
    if (!log_ || what == retry_class::not_retryable) return;
    std::string line = "AWS " + service_ + " request to " + authority_ + ": attempt " +
                       std::to_string(attempt) + " met " +
                       describe_failure(outcome, transport_error);
    if (decision.retry) {
      line += "; retrying in " + std::to_string(decision.delay.count()) + " ms";
    } else {
      line += "; giving up (" + std::string{decision.reason} + ")";
    }
    const bool warn = what == retry_class::throttling || !decision.retry;
    log_(warn ? log_level::warning : log_level::debug, line);
  }

  void sign(http::request& req, const credentials& creds) {
    const system_clock::time_point now = clock_() + clock_offset();
    const std::lock_guard lock{signer_mutex_};
    signer_.sign(req, authority_, creds, now);
  }

  system_clock::duration clock_offset() const noexcept {
    return system_clock::duration{clock_offset_.load(std::memory_order_relaxed)};
  }

  asio::any_io_executor executor_;
  http::connection_pool pool_;
  std::string authority_;
  std::string region_;
  std::string service_;
  std::shared_ptr<credentials_provider> credentials_;
  std::mutex signer_mutex_;
  sigv4_signer signer_;
  retry_policy policy_;
  retry_quota quota_;
  aws::rate_limiter limiter_;
  /// steady_clock ticks of the last successful response (0: none yet).
  std::atomic<steady_clock::rep> last_success_{0};
  system_clock_function clock_;
  std::atomic<system_clock::rep> clock_offset_{0};
  std::shared_ptr<service_metrics> metrics_;
  logger log_;
};

namespace {

std::shared_ptr<service_client_impl> make_impl(asio::any_io_executor executor,
                                               http::endpoint target, std::string region,
                                               std::string service,
                                               std::shared_ptr<credentials_provider> credentials,
                                               service_client_options options) {
  if (region.empty())
    throw system_error{errc::missing_region, "AWS " + service +
                                                 " client: no region (set AWS_REGION, or region in "
                                                 "the profile of ~/.aws/config)"};
  if (!credentials)
    throw std::invalid_argument{"AWS " + service + " client: no credentials provider"};
  return std::make_shared<service_client_impl>(std::move(executor), std::move(target),
                                               std::move(region), std::move(service),
                                               std::move(credentials), std::move(options));
}

}  // namespace

service_client::service_client(asio::any_io_executor executor, http::endpoint target,
                               std::string region, std::string service,
                               std::shared_ptr<credentials_provider> credentials,
                               service_client_options options)
    : impl_(make_impl(std::move(executor), std::move(target), std::move(region), std::move(service),
                      std::move(credentials), std::move(options))) {}

service_client::~service_client() = default;
service_client::service_client(service_client&&) noexcept = default;
service_client& service_client::operator=(service_client&&) noexcept = default;

asio::awaitable<http::response> service_client::send(http::request req,
                                                     error_code_reader read_error_code,
                                                     response_check intact) {
  return service_client_impl::send(impl_, std::move(req), std::move(read_error_code),
                                   std::move(intact));
}

service_client::executor_type service_client::get_executor() const noexcept {
  return impl_->executor_;
}

void service_client::close() {
  asio::dispatch(impl_->executor_, [impl = impl_] { impl->pool_.close(); });
}

const http::endpoint& service_client::target() const noexcept {
  return impl_->pool_.target();
}
const std::string& service_client::region() const noexcept {
  return impl_->region_;
}
system_clock::duration service_client::clock_offset() const noexcept {
  return impl_->clock_offset();
}
const retry_quota& service_client::quota() const noexcept {
  return impl_->quota_;
}
const aws::rate_limiter& service_client::rate_limiter() const noexcept {
  return impl_->limiter_;
}
const http::connection_pool& service_client::pool() const noexcept {
  return impl_->pool_;
}
service_metrics& service_client::metrics() const noexcept {
  return *impl_->metrics_;
}

}  // namespace evstore::aws
