#include "evstore/aws/credentials_provider.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "aws/container_credentials.hpp"
#include "aws/instance_metadata_credentials.hpp"
#include "aws/web_identity_credentials.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace asio = boost::asio;
using std::chrono::system_clock;

static_credentials_source::static_credentials_source(credentials creds, std::string name)
    : credentials_(std::move(creds)), name_(std::move(name)) {}

asio::awaitable<credentials> static_credentials_source::fetch() {
  co_return credentials_;
}

// Shared by the provider and its running fetches, so a fetch may outlive the provider.
//
// `cached_` and `next_refresh_` are read from any thread under `mutex_`; everything else is
// touched only on `strand_`.
class credentials_provider_impl : public std::enable_shared_from_this<credentials_provider_impl> {
 public:
  credentials_provider_impl(asio::any_io_executor executor,
                            std::vector<std::unique_ptr<credentials_source>> chain,
                            credentials_provider_options options)
      : strand_(asio::make_strand(executor)),
        chain_(std::move(chain)),
        options_(std::move(options)),
        fetch_done_(strand_, asio::steady_timer::time_point::max()) {
    if (!options_.clock) options_.clock = [] { return system_clock::now(); };
  }

  asio::awaitable<credentials> get() {
    const system_clock::time_point now = options_.clock();
    std::optional<credentials> cached;
    bool start_refresh = false;
    {
      const std::lock_guard lock{mutex_};
      if (cached_ && is_valid(*cached_, now)) {
        cached = cached_;
        start_refresh = needs_refresh(*cached_, now) && now >= next_refresh_ &&
                        !refresh_requested_.exchange(true);
      }
    }
    if (cached) {
      if (start_refresh) start_background_refresh();
      co_return std::move(*cached);
    }
    co_return co_await asio::co_spawn(strand_, wait_for_fetch(shared_from_this()),
                                      asio::use_awaitable);
  }

  std::size_t fetch_count() const noexcept { return fetch_count_.load(); }

 private:
  bool is_valid(const credentials& creds, system_clock::time_point now) const {
    return !creds.expiration || now < *creds.expiration;
  }
  bool needs_refresh(const credentials& creds, system_clock::time_point now) const {
    return creds.expiration && now >= *creds.expiration - options_.refresh_before_expiry;
  }

  void start_background_refresh() {
    asio::co_spawn(
        strand_,
        [self = shared_from_this()]() -> asio::awaitable<void> {
          if (!self->fetching_) co_await fetch(self);
        },
        asio::detached);
  }

  // On the strand: the cached credentials if valid, else the result of the running (or a new)
  // fetch, which every waiting caller shares.
  static asio::awaitable<credentials> wait_for_fetch(
      std::shared_ptr<credentials_provider_impl> self) {
    {
      const std::lock_guard lock{self->mutex_};
      if (self->cached_ && self->is_valid(*self->cached_, self->options_.clock()))
        co_return *self->cached_;
    }
    const std::uint64_t generation = self->fetch_generation_;
    // co_spawn dispatches: a fetch that needs no I/O may be over when it returns.
    if (!self->fetching_) asio::co_spawn(self->strand_, fetch(self), asio::detached);
    if (self->fetch_generation_ == generation) {
      boost::system::error_code ec;
      co_await self->fetch_done_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      // The timer is cancelled when a fetch ends; any other wake-up is this caller's
      // cancellation.
      if (self->fetch_generation_ == generation)
        throw boost::system::system_error{asio::error::operation_aborted,
                                          "waiting for AWS credentials"};
    }
    if (self->last_error_) std::rethrow_exception(self->last_error_);
    const std::lock_guard lock{self->mutex_};
    co_return *self->cached_;
  }

  // On the strand. Never throws: the outcome is left for the waiters.
  static asio::awaitable<void> fetch(std::shared_ptr<credentials_provider_impl> self) {
    self->fetching_ = true;
    ++self->fetch_count_;
    std::exception_ptr error;
    try {
      credentials fresh = co_await self->fetch_from_chain();
      const std::lock_guard lock{self->mutex_};
      self->cached_ = std::move(fresh);
    } catch (...) {
      error = std::current_exception();
      const std::lock_guard lock{self->mutex_};
      self->next_refresh_ = self->options_.clock() + self->options_.refresh_retry_interval;
    }
    self->last_error_ = error;
    self->fetching_ = false;
    self->refresh_requested_ = false;
    ++self->fetch_generation_;
    self->fetch_done_.cancel();
  }

  asio::awaitable<credentials> fetch_from_chain() {
    if (chosen_) co_return co_await chain_[*chosen_]->fetch();
    std::string tried;
    for (std::size_t i = 0; i < chain_.size(); ++i) {
      try {
        credentials creds = co_await chain_[i]->fetch();
        chosen_ = i;
        co_return creds;
      } catch (const boost::system::system_error& e) {
        if (e.code() != errc::credentials_not_found) throw;
        if (!tried.empty()) tried += "; ";
        tried += e.what();
      }
    }
    throw boost::system::system_error{
        errc::credentials_not_found,
        "tried " + (tried.empty() ? std::string{"no source"} : tried) +
            ". Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with "
            "~/.aws/credentials, or run where a container or instance role is available"};
  }

  asio::strand<asio::any_io_executor> strand_;
  std::vector<std::unique_ptr<credentials_source>> chain_;
  credentials_provider_options options_;

  mutable std::mutex mutex_;
  std::optional<credentials> cached_;
  system_clock::time_point next_refresh_{};
  std::atomic<bool> refresh_requested_{false};
  std::atomic<std::size_t> fetch_count_{0};

  asio::steady_timer fetch_done_;
  bool fetching_ = false;
  std::uint64_t fetch_generation_ = 0;
  std::exception_ptr last_error_;
  std::optional<std::size_t> chosen_;  // the source that answered first; refreshes use it
};

credentials_provider::credentials_provider(asio::any_io_executor executor,
                                           std::vector<std::unique_ptr<credentials_source>> chain,
                                           credentials_provider_options options)
    : impl_(std::make_shared<credentials_provider_impl>(std::move(executor), std::move(chain),
                                                        std::move(options))) {}

credentials_provider::~credentials_provider() = default;

asio::awaitable<credentials> credentials_provider::get() {
  return impl_->get();
}

std::size_t credentials_provider::fetch_count() const noexcept {
  return impl_->fetch_count();
}

std::shared_ptr<credentials_provider> make_static_credentials_provider(
    asio::any_io_executor executor, credentials creds) {
  std::vector<std::unique_ptr<credentials_source>> chain;
  chain.push_back(std::make_unique<static_credentials_source>(std::move(creds), "static"));
  return std::make_shared<credentials_provider>(std::move(executor), std::move(chain));
}

std::shared_ptr<credentials_provider> make_default_credentials_provider(
    asio::any_io_executor executor, const config& cfg, credentials_provider_options options) {
  std::vector<std::unique_ptr<credentials_source>> chain;
  if (cfg.static_credentials)
    chain.push_back(std::make_unique<static_credentials_source>(*cfg.static_credentials,
                                                                cfg.static_credentials_origin));
  // Web identity after the static credentials (environment, profile) and before the
  // container and instance endpoints, where the JavaScript v3 and Rust SDKs try it.
  chain.push_back(std::make_unique<web_identity_credentials_source>(executor, cfg));
  chain.push_back(
      std::make_unique<container_credentials_source>(executor, cfg.container_credentials));
  chain.push_back(
      std::make_unique<instance_metadata_credentials_source>(executor, cfg.instance_metadata));
  return std::make_shared<credentials_provider>(std::move(executor), std::move(chain),
                                                std::move(options));
}

}  // namespace evstore::aws
