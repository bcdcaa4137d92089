// Replay through a proxy that faults 20% of DynamoDB and S3 requests gives exactly what a
// fault-free replay gives: the same events, in the same order, with the same payloads.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "evstore/store/time.hpp"
#include "faults_setup.hpp"

BOOST_AUTO_TEST_SUITE(faults_replay)

using namespace evstore;
using evstore::test::fault_kind;
using evstore::test::faulted_store;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

constexpr std::size_t stream_count = 50;
constexpr std::size_t events_per_stream = 100;
/// Every this many events one carries a payload big enough to be offloaded to S3.
constexpr std::size_t offload_every = 250;

/// Events of stream `s`, dated over three months (so replay reads several months at once).
std::vector<event> events_of_stream(std::size_t s) {
  const timestamp start = evstore::test::utc("2026-06-01T00:00:00.000Z");
  std::vector<event> events;
  for (std::size_t k = 0; k < events_per_stream; ++k) {
    const std::size_t n = k * stream_count + s;  // 0 .. 4999, interleaving the streams in time
    std::string payload = R"({"n":)" + std::to_string(n) + R"(,"text":")";
    payload += std::string(n % offload_every == 7 ? 360'000 : 100 + n % 300, 'a' + n % 26);
    payload += "\"}";
    event e = make_event("account", "a" + std::to_string(s), "posted", std::move(payload));
    e.meta_json = R"({"n":)" + std::to_string(n) + "}";
    e.created = start + std::chrono::seconds{1'550} * n;
    events.push_back(std::move(e));
  }
  return events;
}

std::string describe(const event& e) {
  return e.id + " " + e.domain + "/" + e.identifier.value_or("") + "#" +
         std::to_string(e.sequence) + " " + (e.created ? format_iso8601(*e.created) : "-") +
         " payload " + std::to_string(e.payload_json.size()) + " bytes, hash " +
         std::to_string(std::hash<std::string>{}(e.payload_json));
}

bool same_event(const event& a, const event& b) {
  return a.id == b.id && a.domain == b.domain && a.identifier == b.identifier && a.type == b.type &&
         a.payload_json == b.payload_json && a.meta_json == b.meta_json &&
         a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.created == b.created && a.sequence == b.sequence;
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

}  // namespace

BOOST_AUTO_TEST_SUITE(store_faults_replay)

BOOST_AUTO_TEST_CASE(replay_under_twenty_percent_faults_equals_the_fault_free_replay) {
  store_fixture f("faults-replay");
  f.run(f.store.init());
  f.run(evstore::test::for_each_concurrently(stream_count, 8,
                                             [&](std::size_t s) -> boost::asio::awaitable<void> {
                                               std::vector<event> events = events_of_stream(s);
                                               append_options options;
                                               options.expected_sequence = 0;
                                               co_await f.store.append(std::move(events), options);
                                             }));

  replay_options options;
  options.page_size = 100;
  const std::vector<event> expected = f.replay_all(options);
  BOOST_TEST_REQUIRE(expected.size() == stream_count * events_per_stream);

  evstore::test::fault_settings settings;
  settings.seed = evstore::test::fault_seed(20261126);
  faulted_store faulted(f, settings);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<event> replayed =
      f.run(read_all(faulted.store.all_events(options)), std::chrono::seconds(120));
  const auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE("faulted replay of " << replayed.size() << " events took "
                                          << std::chrono::duration<double>(took).count()
                                          << " s; seed " << settings.seed << "; "
                                          << faulted.fault_summary());

  BOOST_TEST(replayed.size() == expected.size());
  for (std::size_t i = 0; i < std::min(replayed.size(), expected.size()); ++i) {
    if (!same_event(replayed[i], expected[i])) {
      BOOST_ERROR("event " << i << " differs:\n  faulted    " << describe(replayed[i])
                           << "\n  fault-free " << describe(expected[i]));
      break;
    }
  }

  // The faults really happened, of many kinds, on both services.
  const evstore::test::fault_counts ddb = faulted.dynamodb_proxy.counts();
  const evstore::test::fault_counts s3 = faulted.s3_proxy.counts();
  BOOST_TEST(ddb.faults() * 10 >= ddb.requests);  // at least 10% (20% asked)
  BOOST_TEST(s3.faults() > 0u);
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
    if (ddb.by_kind[k] + s3.by_kind[k] > 0) ++kinds_seen;
  BOOST_TEST(kinds_seen >= 7u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
