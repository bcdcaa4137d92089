// The caching credentials chain, with scripted sources and a fake clock: no server.

#include "evstore/aws/credentials_provider.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(credentials_provider)

namespace aws = evstore::aws;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

const system_clock::time_point start = system_clock::time_point{} + std::chrono::hours{500000};

// Answers "key-<n>" on its n-th fetch (1-based), expiring `lifetime` after the fake now, after
// `delay` of real time; or throws `failure` when set.
class scripted_source final : public aws::credentials_source {
 public:
  scripted_source(const system_clock::time_point& now, std::optional<std::chrono::seconds> lifetime)
      : now_(now), lifetime_(lifetime) {}

  asio::awaitable<aws::credentials> fetch() override {
    ++fetches;
    const int n = fetches;
    if (delay.count() > 0) {
      const asio::any_io_executor executor = co_await asio::this_coro::executor;
      asio::steady_timer timer{executor, delay};
      co_await timer.async_wait(asio::use_awaitable);
    }
    if (failure) throw boost::system::system_error{*failure, "scripted failure"};
    aws::credentials creds;
    creds.access_key_id = "key-" + std::to_string(n);
    creds.secret_access_key = "secret-" + std::to_string(n);
    if (lifetime_) creds.expiration = now_ + *lifetime_;
    co_return creds;
  }
  std::string_view name() const noexcept override { return "scripted"; }

  int fetches = 0;
  std::chrono::milliseconds delay{0};
  std::optional<aws::errc> failure;

 private:
  const system_clock::time_point& now_;
  std::optional<std::chrono::seconds> lifetime_;
};

struct fixture {
  asio::io_context io;
  system_clock::time_point now = start;
  scripted_source* source = nullptr;  // owned by the provider
  std::shared_ptr<aws::credentials_provider> provider;

  explicit fixture(std::optional<std::chrono::seconds> lifetime = std::chrono::minutes{15}) {
    auto owned = std::make_unique<scripted_source>(now, lifetime);
    source = owned.get();
    std::vector<std::unique_ptr<aws::credentials_source>> chain;
    chain.push_back(std::move(owned));
    provider = std::make_shared<aws::credentials_provider>(
        io.get_executor(), std::move(chain),
        aws::credentials_provider_options{.refresh_before_expiry = std::chrono::minutes{5},
                                          .refresh_retry_interval = std::chrono::seconds{10},
                                          .clock = [this] { return now; }});
  }

  // Runs get() to completion (bounded: the io_context runs out of work).
  aws::credentials get() {
    std::optional<aws::credentials> result;
    std::exception_ptr error;
    asio::co_spawn(io, provider->get(), [&](std::exception_ptr e, aws::credentials c) {
      error = e;
      if (!e) result = std::move(c);
    });
    io.restart();
    io.run_for(5s);
    if (error) std::rethrow_exception(error);
    BOOST_REQUIRE(result);
    return *result;
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(long_term_credentials_are_fetched_once) {
  fixture f{std::nullopt};
  for (int i = 0; i < 5; ++i) BOOST_TEST(f.get().access_key_id == "key-1");
  f.now += std::chrono::hours{24 * 365};
  BOOST_TEST(f.get().access_key_id == "key-1");
  BOOST_TEST(f.source->fetches == 1);
  BOOST_TEST(f.provider->fetch_count() == 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_callers_share_one_fetch) {
  fixture f;
  f.source->delay = 50ms;
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i)
    asio::co_spawn(f.io, f.provider->get(), [&](std::exception_ptr e, aws::credentials c) {
      BOOST_TEST(!e);
      keys.push_back(c.access_key_id);
    });
  f.io.run_for(5s);
  BOOST_TEST(keys.size() == 10u);
  for (const std::string& key : keys) BOOST_TEST(key == "key-1");
  BOOST_TEST(f.source->fetches == 1);
}

BOOST_AUTO_TEST_CASE(refresh_window_answers_from_cache_and_refreshes_in_background) {
  fixture f;
  BOOST_TEST(f.get().access_key_id == "key-1");
  f.now += std::chrono::minutes{9};  // 6 minutes left: outside the window
  BOOST_TEST(f.get().access_key_id == "key-1");
  BOOST_TEST(f.source->fetches == 1);

  f.now += std::chrono::minutes{2};  // 4 minutes left: inside the window
  f.source->delay = 50ms;
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i)
    asio::co_spawn(f.io, f.provider->get(), [&](std::exception_ptr e, aws::credentials c) {
      BOOST_TEST(!e);
      keys.push_back(c.access_key_id);
    });
  // The callers complete before the refresh (which takes 50 ms) could.
  f.io.restart();
  f.io.run_for(20ms);
  BOOST_TEST(keys.size() == 5u);
  for (const std::string& key : keys) BOOST_TEST(key == "key-1");
  f.io.run_for(1s);
  BOOST_TEST(f.source->fetches == 2);  // one background refresh for the five callers
  BOOST_TEST(f.get().access_key_id == "key-2");
}

BOOST_AUTO_TEST_CASE(expired_credentials_make_callers_wait_for_the_fetch) {
  fixture f;
  BOOST_TEST(f.get().access_key_id == "key-1");
  f.now += std::chrono::minutes{16};
  BOOST_TEST(f.get().access_key_id == "key-2");
  BOOST_TEST(f.source->fetches == 2);
}

BOOST_AUTO_TEST_CASE(failed_fetch_reaches_every_waiter_and_the_next_call_retries) {
  fixture f;
  f.source->delay = 20ms;
  f.source->failure = aws::errc::credentials_unavailable;
  int failures = 0;
  for (int i = 0; i < 3; ++i)
    asio::co_spawn(f.io, f.provider->get(), [&](std::exception_ptr e, aws::credentials) {
      try {
        if (e) std::rethrow_exception(e);
      } catch (const boost::system::system_error& error) {
        if (error.code() == aws::errc::credentials_unavailable) ++failures;
      }
    });
  f.io.run_for(5s);
  BOOST_TEST(failures == 3);
  BOOST_TEST(f.source->fetches == 1);

  f.source->failure.reset();
  BOOST_TEST(f.get().access_key_id == "key-2");
}

BOOST_AUTO_TEST_CASE(failed_background_refresh_keeps_valid_credentials_and_backs_off) {
  fixture f;
  BOOST_TEST(f.get().access_key_id == "key-1");
  f.now += std::chrono::minutes{12};  // inside the window
  f.source->failure = aws::errc::credentials_unavailable;
  BOOST_TEST(f.get().access_key_id == "key-1");  // starts a refresh, which fails
  BOOST_TEST(f.source->fetches == 2);
  BOOST_TEST(f.get().access_key_id == "key-1");  // within refresh_retry_interval: no new fetch
  BOOST_TEST(f.source->fetches == 2);
  f.now += std::chrono::seconds{11};
  f.source->failure.reset();
  BOOST_TEST(f.get().access_key_id == "key-1");  // starts another refresh, which succeeds
  BOOST_TEST(f.source->fetches == 3);
  BOOST_TEST(f.get().access_key_id == "key-3");
}

BOOST_AUTO_TEST_CASE(chain_skips_unconfigured_sources_and_sticks_to_the_one_that_answered) {
  asio::io_context io;
  system_clock::time_point now = start;
  auto absent = std::make_unique<scripted_source>(now, std::nullopt);
  absent->failure = aws::errc::credentials_not_found;
  auto present = std::make_unique<scripted_source>(now, std::chrono::minutes{15});
  scripted_source* absent_ptr = absent.get();
  std::vector<std::unique_ptr<aws::credentials_source>> chain;
  chain.push_back(std::move(absent));
  chain.push_back(std::move(present));
  aws::credentials_provider provider{io.get_executor(),
                                     std::move(chain),
                                     {.refresh_before_expiry = std::chrono::minutes{5},
                                      .refresh_retry_interval = std::chrono::seconds{10},
                                      .clock = [&now] { return now; }}};
  auto get = [&] {
    std::string key;
    asio::co_spawn(io, provider.get(), [&](std::exception_ptr e, aws::credentials c) {
      BOOST_TEST(!e);
      key = c.access_key_id;
    });
    io.restart();
    io.run_for(5s);
    return key;
  };
  BOOST_TEST(get() == "key-1");
  now += std::chrono::minutes{20};
  BOOST_TEST(get() == "key-2");
  BOOST_TEST(absent_ptr->fetches == 1);  // not asked again once another source answered
}

BOOST_AUTO_TEST_CASE(empty_chain_says_what_was_tried) {
  asio::io_context io;
  system_clock::time_point now = start;
  auto absent = std::make_unique<scripted_source>(now, std::nullopt);
  absent->failure = aws::errc::credentials_not_found;
  std::vector<std::unique_ptr<aws::credentials_source>> chain;
  chain.push_back(std::move(absent));
  aws::credentials_provider provider{io.get_executor(), std::move(chain)};
  std::string message;
  asio::co_spawn(io, provider.get(), [&](std::exception_ptr e, aws::credentials) {
    try {
      if (e) std::rethrow_exception(e);
    } catch (const boost::system::system_error& error) {
      BOOST_TEST((error.code() == aws::errc::credentials_not_found));
      message = error.what();
    }
  });
  io.run_for(5s);
  BOOST_TEST(message.find("scripted failure") != std::string::npos);
  BOOST_TEST(message.find("AWS_ACCESS_KEY_ID") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(static_provider) {
  asio::io_context io;
  auto provider = aws::make_static_credentials_provider(
      io.get_executor(), aws::credentials{"AKID", "secret", "token", std::nullopt});
  std::string key;
  asio::co_spawn(io, provider->get(), [&](std::exception_ptr e, aws::credentials c) {
    BOOST_TEST(!e);
    key = c.access_key_id + "/" + c.session_token;
  });
  io.run_for(5s);
  BOOST_TEST(key == "AKID/token");
}

BOOST_AUTO_TEST_SUITE_END()
