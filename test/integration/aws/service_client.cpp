// service_client against an in-process server on 127.0.0.1 scripted per request: signing,
// retries, backoff, the retry quota, clock-skew correction and cancellation.

#include "evstore/aws/service_client.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "aws/timestamp.hpp"
#include "evstore/http/error.hpp"
#include "support/local_http_server.hpp"
#include "support/utc_text.hpp"

BOOST_AUTO_TEST_SUITE(service_client)

namespace aws = evstore::aws;
namespace asio = boost::asio;
namespace http = evstore::http;
using evstore::test::format_utc;
using evstore::test::local_http_server;
using namespace std::chrono_literals;
using std::chrono::steady_clock;
using std::chrono::system_clock;

namespace {

// "YYYYMMDDTHHMMSSZ" -> time point.
std::optional<system_clock::time_point> parse_amz_date(std::string_view d) {
  if (d.size() != 16) return std::nullopt;
  const std::string iso = std::string{d.substr(0, 4)} + "-" + std::string{d.substr(4, 2)} + "-" +
                          std::string{d.substr(6, 2)} + "T" + std::string{d.substr(9, 2)} + ":" +
                          std::string{d.substr(11, 2)} + ":" + std::string{d.substr(13, 2)} + "Z";
  return aws::parse_iso8601(iso);
}

http::response error_response(unsigned status, std::string code,
                              std::optional<system_clock::time_point> date = std::nullopt) {
  http::response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  if (date) res.headers.push_back({"Date", format_utc(*date, "%a, %d %b %Y %H:%M:%S GMT")});
  res.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + code + R"(","message":"m"})";
  return res;
}

http::response ok(std::string body = "{}") {
  http::response res;
  res.status = 200;
  res.body = std::move(body);
  return res;
}

// DynamoDB-style: the part of __type after '#'.
std::string read_code(const http::response& res) {
  const auto type = res.body.find(R"("__type":")");
  if (type == std::string::npos) return {};
  const auto start = res.body.find('#', type);
  const auto end = res.body.find('"', type + 10);
  if (start == std::string::npos || end == std::string::npos || start > end) return {};
  return res.body.substr(start + 1, end - start - 1);
}

// Answers from a script (then `fallback`), and records each request.
struct scripted_server {
  std::mutex mutex;
  std::deque<http::response> script;
  std::optional<http::response> fallback;
  std::vector<http::request> received;
  std::function<http::response(const http::request&)> dynamic;  // overrides the script
  local_http_server server{[this](const http::request& req) {
    const std::lock_guard lock{mutex};
    received.push_back(req);
    if (dynamic) return dynamic(req);
    if (!script.empty()) {
      http::response res = std::move(script.front());
      script.pop_front();
      return res;
    }
    return fallback ? *fallback : ok();
  }};

  std::size_t count() {
    const std::lock_guard lock{mutex};
    return received.size();
  }
  http::request request(std::size_t i) {
    const std::lock_guard lock{mutex};
    return received.at(i);
  }
};

aws::service_client_options fast_options() {
  aws::service_client_options options;
  options.retry.base_delay = 5ms;
  options.retry.throttling_base_delay = 20ms;
  options.retry_seed = 1234;
  return options;
}

struct client_fixture {
  scripted_server server;
  asio::io_context io;
  aws::credentials creds{"AKIDTEST", "SECRET-KEY", "SESSION-TOKEN", std::nullopt};

  aws::service_client make(aws::service_client_options options = fast_options(),
                           std::string base = "") {
    return make_on(io.get_executor(), std::move(options), std::move(base));
  }

  aws::service_client make_on(asio::any_io_executor executor,
                              aws::service_client_options options = fast_options(),
                              std::string base = "") {
    return aws::service_client{std::move(executor),
                               http::endpoint::parse(server.server.url() + base),
                               "us-east-1",
                               "dynamodb",
                               aws::make_static_credentials_provider(io.get_executor(), creds),
                               std::move(options)};
  }

  static http::request request() {
    http::request req;
    req.method = "POST";
    req.target = "/";
    req.headers.push_back({"X-Amz-Target", "DynamoDB_20120810.GetItem"});
    req.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
    req.body = R"({"TableName":"t"})";
    return req;
  }

  // Runs one send to completion: the response, or the exception it threw.
  std::pair<std::optional<http::response>, std::exception_ptr> send(aws::service_client& client) {
    std::optional<http::response> result;
    std::exception_ptr error;
    asio::co_spawn(io, client.send(request(), read_code),
                   [&](std::exception_ptr e, http::response r) {
                     error = e;
                     if (!e) result = std::move(r);
                   });
    io.restart();
    io.run_for(30s);
    return {std::move(result), error};
  }
};

std::string what_of(std::exception_ptr e) {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const std::exception& error) {
    return error.what();
  }
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(signs_each_request_and_keeps_caller_headers) {
  client_fixture f;
  auto client = f.make(fast_options(), "/prefix");
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 200u);
  const http::request seen = f.server.request(0);
  BOOST_TEST(seen.target == "/prefix/");
  BOOST_TEST(http::find_header(seen.headers, "X-Amz-Target") == "DynamoDB_20120810.GetItem");
  const std::string_view authorization = http::find_header(seen.headers, "Authorization");
  BOOST_TEST(authorization.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"));
  BOOST_TEST(authorization.find("/us-east-1/dynamodb/aws4_request") != std::string_view::npos);
  BOOST_TEST(http::find_header(seen.headers, "X-Amz-Security-Token") == "SESSION-TOKEN");
  for (const auto& h : seen.headers) BOOST_TEST(h.value.find("SECRET-KEY") == std::string::npos);
  const auto amz_date = parse_amz_date(http::find_header(seen.headers, "X-Amz-Date"));
  BOOST_REQUIRE(amz_date);
  BOOST_TEST((std::chrono::abs(*amz_date - system_clock::now()) < 1min));
  BOOST_TEST(client.quota().available() == 500u);
}

BOOST_AUTO_TEST_CASE(retries_503_then_succeeds_with_a_fresh_signature) {
  client_fixture f;
  f.server.script.push_back(error_response(503, "ServiceUnavailable"));
  auto client = f.make();
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 200u);
  BOOST_REQUIRE(f.server.count() == 2u);
  // The retry carries exactly one signature and one date, not the first attempt's as well.
  std::size_t authorizations = 0;
  for (const auto& h : f.server.request(1).headers) authorizations += h.name == "Authorization";
  BOOST_TEST(authorizations == 1u);
  BOOST_TEST(f.server.request(1).body == f.server.request(0).body);
  // The retry's tokens were given back on success.
  BOOST_TEST(client.quota().available() == 500u);
}

BOOST_AUTO_TEST_CASE(throttling_backs_off_with_the_seeded_full_jitter) {
  client_fixture f;
  for (int i = 0; i < 2; ++i)
    f.server.script.push_back(error_response(400, "ProvisionedThroughputExceededException"));
  aws::service_client_options options = fast_options();
  options.retry.throttling_base_delay = 200ms;
  // The same seed draws the same delays: 2 retries' worth.
  aws::retry_policy twin{options.retry, options.retry_seed};
  const auto first_delay = twin.backoff(aws::retry_class::throttling, 1);
  const auto expected = first_delay + twin.backoff(aws::retry_class::throttling, 2);
  auto client = f.make(options);
  const auto started = steady_clock::now();
  auto [res, error] = f.send(client);
  const auto elapsed = steady_clock::now() - started;
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 200u);
  BOOST_TEST(f.server.count() == 3u);
  BOOST_TEST_MESSAGE("expected backoff "
                     << expected.count() << " ms, took "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                     << " ms");
  BOOST_TEST((elapsed >= expected));
  BOOST_TEST((elapsed < expected + 5s));
}

BOOST_AUTO_TEST_CASE(non_retryable_error_is_returned_at_once) {
  client_fixture f;
  f.server.fallback = error_response(400, "ConditionalCheckFailedException");
  auto client = f.make();
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 400u);
  BOOST_TEST(read_code(*res) == "ConditionalCheckFailedException");
  BOOST_TEST(f.server.count() == 1u);
}

BOOST_AUTO_TEST_CASE(gives_up_after_max_attempts_with_the_last_response) {
  client_fixture f;
  f.server.fallback = error_response(500, "InternalServerError");
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 4;
  auto client = f.make(options);
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 500u);
  BOOST_TEST(f.server.count() == 4u);
  BOOST_TEST(client.quota().available() == 500u - 3 * 5);
}

BOOST_AUTO_TEST_CASE(transport_failure_throws_after_max_attempts) {
  client_fixture f;
  f.server.server.drop_next_requests(3);
  auto client = f.make();
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(error);
  const std::string what = what_of(error);
  BOOST_TEST_MESSAGE(what);
  BOOST_TEST(what.find("after 3 attempts (max attempts reached)") != std::string::npos);
  BOOST_TEST(what.find("127.0.0.1") != std::string::npos);
  BOOST_TEST(what.find("SECRET") == std::string::npos);
  BOOST_TEST(f.server.server.requests_received() == 3u);  // dropped ones included

  // With one retry fewer dropped, the third attempt gets through.
  f.server.server.drop_next_requests(2);
  auto [second, second_error] = f.send(client);
  BOOST_TEST(!second_error);
  BOOST_TEST(second->status == 200u);
}

BOOST_AUTO_TEST_CASE(retry_quota_exhaustion_stops_retrying) {
  client_fixture f;
  f.server.fallback = error_response(503, "ServiceUnavailable");
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 5;
  options.quota = {
      .capacity = 12, .retry_cost = 5, .timeout_retry_cost = 10, .no_retry_increment = 1};
  auto client = f.make(options);
  auto [first, first_error] = f.send(client);
  BOOST_REQUIRE(!first_error);
  BOOST_TEST(first->status == 503u);
  BOOST_TEST(f.server.count() == 3u);  // two retries took 10 of 12 tokens
  BOOST_TEST(client.quota().available() == 2u);
  auto [second, second_error] = f.send(client);
  BOOST_REQUIRE(!second_error);
  BOOST_TEST(second->status == 503u);
  BOOST_TEST(f.server.count() == 4u);  // no token left: no retry
}

BOOST_AUTO_TEST_CASE(clock_skew_is_corrected_from_the_date_header) {
  client_fixture f;
  aws::service_client_options options = fast_options();
  // The client's clock is an hour slow.
  options.clock = [] { return system_clock::now() - 1h; };
  f.server.script.push_back(error_response(403, "RequestTimeTooSkewed", system_clock::now()));
  auto client = f.make(options);
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 200u);
  BOOST_REQUIRE(f.server.count() == 2u);
  const auto first = parse_amz_date(http::find_header(f.server.request(0).headers, "X-Amz-Date"));
  const auto retry = parse_amz_date(http::find_header(f.server.request(1).headers, "X-Amz-Date"));
  BOOST_REQUIRE(first);
  BOOST_REQUIRE(retry);
  BOOST_TEST((std::chrono::abs(*first - (system_clock::now() - 1h)) < 1min));
  BOOST_TEST((std::chrono::abs(*retry - system_clock::now()) < 1min));
  BOOST_TEST((std::chrono::abs(client.clock_offset() - 1h) < 1min));
}

BOOST_AUTO_TEST_CASE(auth_error_counts_as_skew_only_when_the_clocks_disagree) {
  client_fixture f;
  aws::service_client_options options = fast_options();
  options.clock = [] { return system_clock::now() + 30min; };
  auto client = f.make(options);
  // Same clock on both sides: a real signature problem, returned as is.
  f.server.script.push_back(
      error_response(400, "InvalidSignatureException", system_clock::now() + 30min));
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 400u);
  BOOST_TEST(f.server.count() == 1u);
  // Server half an hour behind the client: skew, corrected and retried.
  f.server.script.push_back(error_response(400, "InvalidSignatureException", system_clock::now()));
  auto [fixed, fixed_error] = f.send(client);
  BOOST_REQUIRE(!fixed_error);
  BOOST_TEST(fixed->status == 200u);
  BOOST_TEST(f.server.count() == 3u);
  BOOST_TEST((std::chrono::abs(client.clock_offset() + 30min) < 1min));
}

BOOST_AUTO_TEST_CASE(skew_error_without_a_date_is_not_retried) {
  client_fixture f;
  f.server.fallback = error_response(403, "RequestTimeTooSkewed");
  auto client = f.make();
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 403u);
  BOOST_TEST(f.server.count() == 1u);
}

BOOST_AUTO_TEST_CASE(cancellation_interrupts_a_backoff_wait) {
  client_fixture f;
  f.server.fallback = error_response(503, "ServiceUnavailable");
  aws::service_client_options options = fast_options();
  options.retry.base_delay = 60s;
  options.retry.max_delay = 60s;
  options.retry_seed = 5;  // whose first draw is long (checked below)
  aws::retry_policy twin{options.retry, options.retry_seed};
  BOOST_REQUIRE((twin.backoff(aws::retry_class::transient, 1) > 5s));
  auto client = f.make(options);

  asio::cancellation_signal cancel;
  std::exception_ptr error;
  bool done = false;
  asio::co_spawn(
      f.io, client.send(client_fixture::request(), read_code),
      asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, http::response) {
        error = e;
        done = true;
      }));
  asio::steady_timer later{f.io, 300ms};
  later.async_wait(
      [&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
  const auto started = steady_clock::now();
  f.io.run_for(10s);
  BOOST_TEST(done);
  BOOST_TEST((steady_clock::now() - started < 5s));
  BOOST_TEST(f.server.count() == 1u);
  try {
    if (error) std::rethrow_exception(error);
    BOOST_FAIL("expected cancellation");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == asio::error::operation_aborted));
  }
}

BOOST_AUTO_TEST_CASE(permanent_transport_error_is_not_retried) {
  client_fixture f;
  f.server.fallback = ok(std::string(4096, 'x'));
  aws::service_client_options options = fast_options();
  options.http.max_response_body = 100;
  auto client = f.make(options);
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(error);
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == http::errc::response_too_large));
  }
  BOOST_TEST(f.server.count() == 1u);
}

// An io_context run by several threads: the client is given a strand. Half the sends start on
// the strand, half on the io_context itself (carried over to the strand for each exchange).
BOOST_AUTO_TEST_CASE(concurrent_sends_from_several_threads) {
  client_fixture f;
  const auto strand = asio::make_strand(f.io);
  // Every third request is throttled, so retries run concurrently with first attempts.
  std::size_t seen = 0;
  f.server.dynamic = [&seen](const http::request&) {
    return ++seen % 3 == 0 ? error_response(400, "ThrottlingException") : ok();
  };
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 10;
  options.retry.throttling_base_delay = 2ms;
  auto client = f.make_on(strand, options);
  BOOST_TEST((client.get_executor() == asio::any_io_executor(strand)));
  constexpr int sends = 120;
  std::atomic<int> succeeded{0};
  std::atomic<int> completed{0};
  for (int i = 0; i < sends; ++i)
    asio::co_spawn(i % 2 ? asio::any_io_executor(strand) : f.io.get_executor(),
                   client.send(client_fixture::request(), read_code),
                   [&](std::exception_ptr e, http::response r) {
                     if (!e && r.status == 200) ++succeeded;
                     ++completed;
                   });
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&f] { f.io.run_for(30s); });
  for (auto& t : threads) t.join();
  BOOST_TEST(completed == sends);
  BOOST_TEST(succeeded == sends);
  BOOST_TEST(f.server.count() > static_cast<std::size_t>(sends));
  BOOST_TEST(client.quota().available() == 500u);
}

namespace {

// Without an attempt count, throttling retried until `limit` passes without progress; a small
// quota (two retries' worth) that standard mode would spend at once.
aws::service_client_options throttling_options(aws::retry_mode mode) {
  aws::service_client_options options = fast_options();
  options.retry.mode = mode;
  options.retry.max_attempts = 0;
  options.retry.max_time_without_progress = 10s;
  options.retry.throttling_base_delay = 5ms;
  options.retry.max_delay = 20ms;
  options.quota = {
      .capacity = 12, .retry_cost = 5, .timeout_retry_cost = 10, .no_retry_increment = 1};
  // A floor of 20 attempts a second keeps the test short once the limiter slows the client.
  options.rate_limiter.min_fill_rate = 20;
  return options;
}

}  // namespace

BOOST_AUTO_TEST_CASE(adaptive_mode_rides_out_throttling_without_spending_the_quota) {
  client_fixture f;
  for (int i = 0; i < 12; ++i)
    f.server.script.push_back(error_response(400, "ThrottlingException"));
  auto client = f.make(throttling_options(aws::retry_mode::adaptive));
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 200u);
  BOOST_TEST(f.server.count() == 13u);
  BOOST_TEST(client.quota().available() == 12u);
  // The limiter took over: it paces attempts, at a rate the throttles cut.
  BOOST_TEST(client.rate_limiter().enabled());
  const aws::service_metrics_snapshot metrics = client.metrics().snapshot();
  BOOST_TEST(metrics.errors.throttling == 12u);
  BOOST_TEST(metrics.send_rate_limit > 0.0);
  BOOST_TEST(metrics.send_rate_limit == client.rate_limiter().fill_rate());
  BOOST_TEST(metrics.rate_limit_waits > 0u);
  BOOST_TEST(metrics.rate_limit_wait_time.count() > 0);
}

BOOST_AUTO_TEST_CASE(standard_mode_spends_the_quota_on_throttling) {
  client_fixture f;
  for (int i = 0; i < 12; ++i)
    f.server.script.push_back(error_response(400, "ThrottlingException"));
  auto client = f.make(throttling_options(aws::retry_mode::standard));
  auto [res, error] = f.send(client);
  BOOST_REQUIRE(!error);
  BOOST_TEST(res->status == 400u);
  BOOST_TEST(f.server.count() == 3u);  // two retries took 10 of the 12 tokens
  BOOST_TEST(!client.rate_limiter().enabled());
  BOOST_TEST(client.metrics().snapshot().send_rate_limit == 0.0);
}

BOOST_AUTO_TEST_CASE(a_server_that_never_answers_is_given_up_after_the_time_without_progress) {
  client_fixture f;
  f.server.server.set_response_delay(10s);
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 0;
  options.retry.max_time_without_progress = 1500ms;
  options.http.request_timeout = 300ms;
  auto client = f.make(options);
  const auto started = steady_clock::now();
  auto [res, error] = f.send(client);
  const auto took = steady_clock::now() - started;
  BOOST_REQUIRE(error);
  const std::string what = what_of(error);
  BOOST_TEST_MESSAGE(what);
  BOOST_TEST(what.find("no progress within the time limit") != std::string::npos);
  // Retried until the bound (the last backoff is cut to end at it), then one last attempt.
  BOOST_TEST(f.server.server.requests_received() >= 3u);
  BOOST_TEST((took >= 1500ms));
  BOOST_TEST((took < 1500ms + 2 * 300ms + 500ms));
}

BOOST_AUTO_TEST_CASE(progress_of_other_requests_keeps_a_failing_one_retrying) {
  client_fixture f;
  // One request fails for 1.6 s: longer than the bound of 1 s without progress, while other
  // requests succeed meanwhile.
  std::optional<steady_clock::time_point> first_flaky;
  int flaky_failures = 0;
  f.server.dynamic = [&](const http::request& req) {
    if (req.body.find("flaky") == std::string::npos) return ok();
    if (!first_flaky) first_flaky = steady_clock::now();
    if (steady_clock::now() - *first_flaky > 1600ms) return ok();
    ++flaky_failures;
    return error_response(500, "InternalServerError");
  };
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 0;
  options.retry.max_time_without_progress = 1s;
  options.retry.base_delay = 200ms;
  options.retry.max_delay = 200ms;
  auto client = f.make(options);
  http::request flaky = client_fixture::request();
  flaky.body = R"({"TableName":"flaky"})";
  std::optional<http::response> result;
  std::exception_ptr failure;
  asio::co_spawn(f.io, client.send(flaky, read_code), [&](std::exception_ptr e, http::response r) {
    failure = e;
    if (!e) result = std::move(r);
  });
  // Others succeed every 100 ms while it retries.
  asio::co_spawn(
      f.io,
      [&client, &result, &failure]() -> asio::awaitable<void> {
        for (int i = 0; i < 100 && !result && !failure; ++i) {
          co_await client.send(client_fixture::request(), read_code);
          asio::steady_timer pause{co_await asio::this_coro::executor, 100ms};
          co_await pause.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
  f.io.run_for(20s);
  BOOST_TEST(!failure, what_of(failure));
  BOOST_REQUIRE(result);
  BOOST_TEST(result->status == 200u);
  BOOST_TEST(flaky_failures > 1);
}

BOOST_AUTO_TEST_CASE(an_endpoint_never_reached_is_given_up_after_three_attempts) {
  asio::io_context io;
  // A port that was just free: nothing listens there.
  std::string url;
  {
    local_http_server closed{[](const http::request&) { return ok(); }};
    url = closed.url();
  }
  aws::service_client_options options = fast_options();
  options.retry.max_attempts = 0;
  options.retry.max_time_without_progress = 60s;
  aws::service_client client{io.get_executor(),
                             http::endpoint::parse(url),
                             "us-east-1",
                             "dynamodb",
                             aws::make_static_credentials_provider(
                                 io.get_executor(), aws::credentials{"AKID", "SECRET", "", {}}),
                             options};
  std::exception_ptr error;
  asio::co_spawn(io, client.send(client_fixture::request(), read_code),
                 [&](std::exception_ptr e, http::response) { error = e; });
  const auto started = steady_clock::now();
  io.run_for(30s);
  BOOST_REQUIRE(error);
  const std::string what = what_of(error);
  BOOST_TEST_MESSAGE(what);
  BOOST_TEST(what.find("after 3 attempts (the service was never reached)") != std::string::npos);
  BOOST_TEST((steady_clock::now() - started < 5s));
}

BOOST_AUTO_TEST_SUITE_END()
