// Replays at the repo's default retry settings (adaptive mode, no attempt count, bounded by time
// without progress) through sustained faults: 30% of every kind finishes exactly; throttling
// alone slows the client down rather than failing it; a server that never answers is given up
// once the bound without progress has passed.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "evstore/store/time.hpp"
#include "faults_setup.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(faults_sustained)

using namespace evstore;
using evstore::test::fault_kind;
using evstore::test::faulted_store;
using evstore::test::make_event;
using evstore::test::store_fixture;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t stream_count = 30;
constexpr std::size_t events_per_stream = 50;
/// Every this many events one carries a payload big enough to be offloaded to S3.
constexpr std::size_t offload_every = 300;

/// Events of stream `s`, dated over three months (so replay reads several months at once).
std::vector<event> stream_events(std::size_t s) {
  const timestamp start = evstore::test::utc("2026-06-01T00:00:00.000Z");
  std::vector<event> events;
  for (std::size_t k = 0; k < events_per_stream; ++k) {
    const std::size_t n = k * stream_count + s;  // interleaves the streams in time
    std::string payload = R"({"n":)" + std::to_string(n) + R"(,"text":")";
    payload += std::string(n % offload_every == 7 ? 360'000 : 100 + n % 300, 'a' + n % 26);
    payload += "\"}";
    event e = make_event("account", "a" + std::to_string(s), "posted", std::move(payload));
    e.created = start + std::chrono::seconds{5'000} * n;
    events.push_back(std::move(e));
  }
  return events;
}

void fill(store_fixture& f) {
  f.run(f.store.init());
  f.run(evstore::test::for_each_concurrently(stream_count, 8,
                                             [&](std::size_t s) -> boost::asio::awaitable<void> {
                                               std::vector<event> events = stream_events(s);
                                               append_options options;
                                               options.expected_sequence = 0;
                                               co_await f.store.append(std::move(events), options);
                                             }));
}

bool same_event(const event& a, const event& b) {
  return a.id == b.id && a.domain == b.domain && a.identifier == b.identifier && a.type == b.type &&
         a.payload_json == b.payload_json && a.meta_json == b.meta_json && a.created == b.created &&
         a.sequence == b.sequence;
}

boost::asio::awaitable<std::vector<event>> read_all(replay cursor) {
  std::vector<event> events;
  for (int pages = 0; pages < 100'000; ++pages) {
    std::optional<std::vector<event>> page = co_await cursor.next();
    if (!page) break;
    std::move(page->begin(), page->end(), std::back_inserter(events));
  }
  co_return events;
}

/// The faulted repo at the library's retry defaults: only the attempt's time limit is short.
evstore::test::fault_settings at_defaults(double share, std::uint64_t seed) {
  evstore::test::fault_settings settings;
  settings.share = share;
  settings.seed = evstore::test::fault_seed(seed);
  settings.max_attempts = repo_options{}.max_attempts.value_or(0);
  return settings;
}

void check_same(const std::vector<event>& replayed, const std::vector<event>& expected) {
  BOOST_TEST(replayed.size() == expected.size());
  for (std::size_t i = 0; i < std::min(replayed.size(), expected.size()); ++i) {
    if (!same_event(replayed[i], expected[i])) {
      BOOST_ERROR("event " << i << " differs: " << replayed[i].id << " #" << replayed[i].sequence
                           << " instead of " << expected[i].id << " #" << expected[i].sequence);
      return;
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_faults_sustained)

BOOST_AUTO_TEST_CASE(replay_under_thirty_percent_faults_at_the_defaults_is_exact) {
  BOOST_TEST_REQUIRE(!repo_options{}.max_attempts.has_value());  // bounded by time, not by count
  store_fixture f("faults-30");
  fill(f);
  replay_options options;
  options.page_size = 100;
  const std::vector<event> expected = f.replay_all(options);
  BOOST_TEST_REQUIRE(expected.size() == stream_count * events_per_stream);

  const evstore::test::fault_settings settings = at_defaults(0.3, 20261204);
  faulted_store faulted(f, settings);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<event> replayed = f.run(read_all(faulted.store.all_events(options)), 150s);
  const repo_metrics metrics = faulted.store.metrics();
  BOOST_TEST_MESSAGE(
      "replay of "
      << replayed.size() << " events under 30% faults took "
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
      << " s; seed " << settings.seed << "; " << faulted.fault_summary() << "; DynamoDB attempts "
      << metrics.dynamodb.attempts << ", throttled " << metrics.dynamodb.errors.throttling
      << ", rate limit now " << metrics.dynamodb.send_rate_limit << "/s");
  check_same(replayed, expected);
  // No request gave up.
  BOOST_TEST(metrics.dynamodb.failed_requests == 0u);
  BOOST_TEST(metrics.s3.failed_requests == 0u);

  // 30% really happened, of many kinds.
  const evstore::test::fault_counts ddb = faulted.dynamodb_proxy.counts();
  BOOST_TEST(ddb.faults() * 10 >= ddb.requests);  // at least 10% (30% asked)
  BOOST_TEST(ddb.of(fault_kind::unprocessed_keys) > 0u);
  // Bodies damaged on the way, and error answers (each kind alone may miss in a short run).
  BOOST_TEST(ddb.of(fault_kind::corrupt_crc32) + ddb.of(fault_kind::truncated_body) +
                 ddb.of(fault_kind::reset_mid_response) >
             0u);
  BOOST_TEST(ddb.of(fault_kind::throttling) + ddb.of(fault_kind::throughput_exceeded) +
                 ddb.of(fault_kind::internal_error) + ddb.of(fault_kind::service_unavailable) >
             0u);
  std::size_t kinds_seen = 0;
  for (std::size_t k = 0; k < evstore::test::fault_kind_count; ++k)
    if (ddb.by_kind[k] + faulted.s3_proxy.counts().by_kind[k] > 0) ++kinds_seen;
  BOOST_TEST(kinds_seen >= 7u);
}

BOOST_AUTO_TEST_CASE(throttling_alone_slows_the_replay_down_and_never_fails_it) {
  store_fixture f("faults-throttled");
  fill(f);
  replay_options options;
  options.page_size = 100;
  const std::vector<event> expected = f.replay_all(options);

  // Throttles drawn at random whatever the rate, unlike a real service's: each one cuts the
  // rate, so a small share already holds the client near the limiter's floor.
  evstore::test::fault_settings settings = at_defaults(0.15, 7);
  settings.dynamodb_kinds = {fault_kind::throttling, fault_kind::throughput_exceeded};
  settings.s3_share = 0;
  faulted_store faulted(f, settings);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<event> replayed = f.run(read_all(faulted.store.all_events(options)), 150s);
  const aws::service_metrics_snapshot metrics = faulted.store.metrics().dynamodb;
  BOOST_TEST_MESSAGE(
      "throttled replay took "
      << std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count()
      << " s: " << faulted.fault_summary() << "; attempts " << metrics.attempts << ", throttled "
      << metrics.errors.throttling << ", waited " << metrics.rate_limit_waits << " times for "
      << std::chrono::duration<double>(metrics.rate_limit_wait_time).count()
      << " s, rate limit now " << metrics.send_rate_limit << "/s");
  check_same(replayed, expected);
  BOOST_TEST(metrics.failed_requests == 0u);
  BOOST_TEST(metrics.errors.throttling > 0u);
  BOOST_TEST(metrics.errors.server + metrics.errors.transport + metrics.errors.timeout == 0u);
  // The limiter took over: it set a rate and held attempts back.
  BOOST_TEST(metrics.send_rate_limit > 0.0);
  BOOST_TEST(metrics.rate_limit_waits > 0u);
  BOOST_TEST(metrics.rate_limit_wait_time.count() > 0);
}

BOOST_AUTO_TEST_CASE(a_dynamodb_that_never_answers_is_given_up_after_the_bound_without_progress) {
  // Reads every request, answers none within the test.
  evstore::test::local_http_server silent{[](const http::request&) { return http::response{}; }};
  silent.set_response_delay(60s);
  boost::asio::io_context io;
  aws::config config = evstore::test::local_config();
  config.service_endpoint_urls["dynamodb"] = silent.url();
  repo_options options;
  options.table_name_prefix = "never-answers-";
  options.s3_bucket_name = "never-answers";
  options.request_timeout = 300ms;
  options.max_time_without_progress = 2s;
  repo store(io.get_executor(), config, options);
  const auto started = std::chrono::steady_clock::now();
  std::string error;
  try {
    evstore::test::run_for(io, store.stream_sequence("account", "a1"), 30s);
  } catch (const std::exception& e) {
    error = e.what();
  }
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE(error);
  BOOST_TEST(error.find("no progress within the time limit") != std::string::npos);
  BOOST_TEST(silent.requests_received() >= 3u);
  BOOST_TEST((took >= 2s));
  BOOST_TEST((took < 2s + 2 * 300ms + 1s));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
