// A service client's metrics and log lines against a scripted server on 127.0.0.1: throttles,
// retries, rejected requests, transport errors and latencies are counted as they happen.

#include "evstore/aws/metrics.hpp"

#include <boost/test/unit_test.hpp>

#include <deque>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "evstore/aws/service_client.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(metrics)

namespace aws = evstore::aws;
namespace asio = boost::asio;
namespace http = evstore::http;
using evstore::test::local_http_server;
using namespace std::chrono_literals;

namespace {

http::response reply(unsigned status, std::string_view code = {}) {
  http::response res;
  res.status = status;
  res.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  res.body = code.empty() ? std::string{"{}"}
                          : R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string{code} +
                                R"(","message":"m"})";
  return res;
}

std::string read_code(const http::response& res) {
  const auto hash = res.body.find('#');
  const auto end = res.body.find('"', hash == std::string::npos ? 0 : hash);
  if (hash == std::string::npos || end == std::string::npos) return {};
  return res.body.substr(hash + 1, end - hash - 1);
}

struct log_sink {
  std::mutex mutex;
  std::vector<std::pair<aws::log_level, std::string>> lines;
  std::size_t count(aws::log_level level) {
    const std::lock_guard lock{mutex};
    std::size_t n = 0;
    for (const auto& line : lines) n += line.first == level;
    return n;
  }
};

struct fixture {
  std::mutex mutex;
  std::deque<http::response> script;
  local_http_server server{[this](const http::request&) {
    const std::lock_guard lock{mutex};
    if (script.empty()) return reply(200);
    http::response res = std::move(script.front());
    script.pop_front();
    return res;
  }};
  asio::io_context io;
  std::shared_ptr<log_sink> log = std::make_shared<log_sink>();
  std::shared_ptr<aws::service_metrics> metrics = std::make_shared<aws::service_metrics>();

  void then(http::response res) {
    const std::lock_guard lock{mutex};
    script.push_back(std::move(res));
  }

  aws::service_client client(std::string url) {
    aws::service_client_options options;
    options.retry.base_delay = 5ms;
    options.retry.throttling_base_delay = 10ms;
    options.retry_seed = 99;
    options.metrics = metrics;
    options.log = [sink = log](aws::log_level level, std::string_view text) {
      const std::lock_guard lock{sink->mutex};
      sink->lines.emplace_back(level, std::string{text});
    };
    const aws::credentials creds{"AKIDTEST", "SECRET-KEY", "", std::nullopt};
    return aws::service_client{io.get_executor(),
                               http::endpoint::parse(url),
                               "us-east-1",
                               "dynamodb",
                               aws::make_static_credentials_provider(io.get_executor(), creds),
                               std::move(options)};
  }

  // One send to completion (bounded); the status, or 0 when it threw.
  unsigned send(aws::service_client& c) {
    http::request req;
    req.method = "POST";
    req.target = "/";
    req.body = "{}";
    unsigned status = 0;
    bool done = false;
    asio::co_spawn(io, c.send(std::move(req), read_code),
                   [&](std::exception_ptr e, http::response r) {
                     if (!e) status = r.status;
                     done = true;
                   });
    io.restart();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
    BOOST_REQUIRE(done);
    return status;
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(throttles_retries_and_rejections_are_counted, fixture) {
  aws::service_client c = client(server.url());
  then(reply(400, "ThrottlingException"));
  then(reply(400, "ProvisionedThroughputExceededException"));
  BOOST_TEST(send(c) == 200u);

  aws::service_metrics_snapshot s = metrics->snapshot();
  BOOST_TEST(s.requests == 1u);
  BOOST_TEST(s.attempts == 3u);
  BOOST_TEST(s.retries == 2u);
  BOOST_TEST(s.errors.throttling == 2u);
  BOOST_TEST(s.failed_requests == 0u);
  BOOST_TEST(s.latency.total() == 1u);
  // Each throttle is a warning naming the code; the secret is never there.
  BOOST_TEST(log->count(aws::log_level::warning) == 2u);
  {
    const std::lock_guard lock{log->mutex};
    for (const auto& [level, text] : log->lines) {
      BOOST_TEST(text.find("SECRET-KEY") == std::string::npos);
      BOOST_TEST(text.find("retrying in") != std::string::npos);
    }
    BOOST_TEST(log->lines.front().second.find("ThrottlingException") != std::string::npos);
  }

  then(reply(400, "ConditionalCheckFailedException"));
  BOOST_TEST(send(c) == 400u);
  then(reply(500, "InternalServerError"));
  BOOST_TEST(send(c) == 200u);
  s = metrics->snapshot();
  BOOST_TEST(s.requests == 3u);
  BOOST_TEST(s.attempts == 6u);
  BOOST_TEST(s.failed_requests == 1u);
  BOOST_TEST(s.errors.client == 1u);
  BOOST_TEST(s.errors.server == 1u);
  BOOST_TEST(s.latency.total() == 3u);
  BOOST_TEST(log->count(aws::log_level::warning) == 2u);  // a failed condition is no warning
  BOOST_TEST(log->count(aws::log_level::debug) == 1u);    // the 500 retried
  BOOST_TEST(c.metrics().snapshot().requests == 3u);      // the shared object, seen by the client
}

BOOST_FIXTURE_TEST_CASE(giving_up_is_a_warning_and_a_failed_request, fixture) {
  aws::service_client c = client(server.url());
  for (int i = 0; i < 3; ++i) then(reply(503));
  BOOST_TEST(send(c) == 503u);
  const aws::service_metrics_snapshot s = metrics->snapshot();
  BOOST_TEST(s.attempts == 3u);
  BOOST_TEST(s.retries == 2u);
  BOOST_TEST(s.errors.server == 3u);
  BOOST_TEST(s.failed_requests == 1u);
  const std::lock_guard lock{log->mutex};
  BOOST_REQUIRE(!log->lines.empty());
  BOOST_TEST((log->lines.back().first == aws::log_level::warning));
  BOOST_TEST(log->lines.back().second.find("giving up") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(transport_errors_are_counted_apart, fixture) {
  // A port nothing listens on: connection refused on every attempt.
  std::string url;
  {
    local_http_server gone{[](const http::request&) { return reply(200); }};
    url = gone.url();
  }
  aws::service_client c = client(url);
  BOOST_TEST(send(c) == 0u);  // threw
  const aws::service_metrics_snapshot s = metrics->snapshot();
  BOOST_TEST(s.errors.transport == 3u);
  BOOST_TEST(s.errors.server == 0u);
  BOOST_TEST(s.requests == 1u);
  BOOST_TEST(s.failed_requests == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
