// The main job end to end, and a usage example of the public API: initialise a table, append a
// few thousand events across many streams from concurrent coroutines (some with payloads large
// enough to go to S3), replay them all, print counts and throughput, and check that the replay
// holds exactly what was appended.
//
//   evstore_demo [--events N] [--streams N] [--large N] [--batch N] [--concurrency N]
//
// Where the store is comes from the environment like any AWS program (AWS_REGION,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, credentials), plus EVSTORE_TABLE_PREFIX and
// EVSTORE_S3_BUCKET (default: a new table demo-<time>-schemeless-event-store, bucket
// evstore-demo). The checks expect a table holding only this run's events. scripts/demo runs it
// against local servers.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "evstore/evstore.hpp"
#include "evstore/store/time.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

struct demo_settings {
  std::size_t events = 3000;
  std::size_t streams = 300;
  std::size_t large = 12;        ///< events whose payload is too big for a DynamoDB item
  std::size_t batch = 5;         ///< events per append call
  std::size_t concurrency = 16;  ///< appends in flight
};

/// A stream's events in the order they are appended.
struct stream_plan {
  std::string domain;
  std::string identifier;
  std::vector<evstore::event> events;
};

struct demo_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::size_t count_argument(std::string_view name, const char* text) {
  std::size_t value = 0;
  std::string_view view = text ? text : "";
  auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), value);
  if (view.empty() || error != std::errc{} || end != view.data() + view.size() || value == 0)
    throw demo_failure(std::string(name) + " takes a positive whole number");
  return value;
}

demo_settings parse_settings(int argc, char** argv) {
  demo_settings settings;
  for (int i = 1; i < argc; i += 2) {
    std::string_view name = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    if (name == "--events") {
      settings.events = count_argument(name, value);
    } else if (name == "--streams") {
      settings.streams = count_argument(name, value);
    } else if (name == "--large") {
      settings.large = count_argument(name, value);
    } else if (name == "--batch") {
      settings.batch = count_argument(name, value);
    } else if (name == "--concurrency") {
      settings.concurrency = count_argument(name, value);
    } else {
      throw demo_failure("unknown option " + std::string(name) +
                         " (known: --events --streams --large --batch --concurrency)");
    }
  }
  settings.streams = std::min(settings.streams, settings.events);
  settings.large = std::min(settings.large, settings.events);
  return settings;
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

/// Text that differs per event, so a payload swapped or cut on its way through S3 is caught.
std::string filler(std::size_t bytes, std::uint64_t seed) {
  std::string text(bytes, ' ');
  std::uint64_t state = seed * 0x9e3779b97f4a7c15ULL + 1;
  for (char& c : text) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    c = static_cast<char>('a' + state % 26);
  }
  return text;
}

/// The events to append, spread over streams and over the last ~100 days, so the replay walks
/// several monthly time buckets. Each stream's events are in ascending created order.
std::vector<stream_plan> plan_events(const demo_settings& settings) {
  static constexpr std::string_view domains[] = {"account", "order", "shipment", "invoice"};
  std::vector<stream_plan> streams(settings.streams);
  for (std::size_t s = 0; s < streams.size(); ++s) {
    streams[s].domain = domains[s % std::size(domains)];
    streams[s].identifier = "demo-" + std::to_string(s);
  }
  const auto span = std::chrono::milliseconds(100 * 24h);
  const auto step = span / static_cast<std::int64_t>(settings.events);
  const evstore::timestamp start = evstore::now_ms() - span;
  const std::size_t large_every = settings.events / settings.large;

  for (std::size_t i = 0; i < settings.events; ++i) {
    stream_plan& stream = streams[i % streams.size()];
    evstore::event e;
    e.domain = stream.domain;
    e.identifier = stream.identifier;
    e.type = stream.events.empty() ? "created" : "updated";
    e.created = start + step * static_cast<std::int64_t>(i);
    e.correlation_id = "demo-run";
    if (!stream.events.empty()) e.causation_id = stream.events.back().id;
    e.id = "demo-event-" + std::to_string(i);
    boost::json::object payload{{"index", i}, {"amount", (i * 37) % 1000}};
    // About 380 KB of payload: past the 350 KB offload threshold, so it is stored in S3.
    if (i % large_every == large_every - 1) payload["document"] = filler(380'000, i);
    e.set_payload(payload);
    if (i % 10 == 0) e.set_meta({{"source", "demo"}, {"attempt", 1}});
    stream.events.push_back(std::move(e));
  }
  return streams;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Appends whole streams, `batch` events per call, until no stream is left. Each call states the
/// version it expects, as a writer that owns its streams does.
asio::awaitable<void> append_worker(evstore::repo& store, std::vector<stream_plan>& streams,
                                    std::size_t& next_stream, std::size_t batch,
                                    std::size_t& calls) {
  while (next_stream < streams.size()) {
    const stream_plan& stream = streams[next_stream++];
    std::uint64_t version = 0;
    for (std::size_t offset = 0; offset < stream.events.size(); offset += batch) {
      auto first = stream.events.begin() + static_cast<std::ptrdiff_t>(offset);
      auto last =
          first + static_cast<std::ptrdiff_t>(std::min(batch, stream.events.size() - offset));
      evstore::append_options options;
      options.expected_sequence = version;
      std::vector<evstore::event> chunk(first, last);
      auto stored = co_await store.append(std::move(chunk), options);
      version += stored.size();
      ++calls;
    }
  }
}

/// Runs `workers` copies of append_worker at once and waits for all of them.
asio::awaitable<std::size_t> append_all(evstore::repo& store, std::vector<stream_plan>& streams,
                                        const demo_settings& settings) {
  auto executor = co_await asio::this_coro::executor;
  std::size_t next_stream = 0;
  std::size_t calls = 0;
  std::size_t running = settings.concurrency;
  std::exception_ptr first_failure;
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  for (std::size_t w = 0; w < settings.concurrency; ++w) {
    asio::co_spawn(executor, append_worker(store, streams, next_stream, settings.batch, calls),
                   [&](std::exception_ptr failure) {
                     if (failure && !first_failure) first_failure = failure;
                     if (--running == 0) all_done.cancel();
                   });
  }
  boost::system::error_code ignored;
  co_await all_done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (first_failure) std::rethrow_exception(first_failure);
  co_return calls;
}

struct replay_summary {
  std::size_t events = 0;
  std::size_t pages = 0;
  std::set<std::string> months;
};

/// Replays every event and checks it against the plan: the count, each stream's events in
/// sequence order 1..n with the ids appended, and each payload (the large ones came from S3).
asio::awaitable<replay_summary> replay_and_verify(evstore::repo& store,
                                                  const std::vector<stream_plan>& streams) {
  std::map<std::string, const stream_plan*, std::less<>> stream_of;
  for (const auto& stream : streams) stream_of[stream.domain + "::" + stream.identifier] = &stream;
  std::map<const stream_plan*, std::size_t> seen;

  replay_summary summary;
  evstore::replay_options options;
  options.page_size = 100;
  evstore::replay pages = store.all_events(options);
  while (auto page = co_await pages.next()) {
    ++summary.pages;
    for (const evstore::event& e : *page) {
      ++summary.events;
      summary.months.insert(evstore::time_bucket(*e.created));
      auto found = stream_of.find(e.domain + "::" + e.identifier.value_or(""));
      if (found == stream_of.end())
        throw demo_failure("replay returned event " + e.id + " of a stream never appended to");
      std::size_t& position = seen[found->second];
      const auto& expected = found->second->events;
      if (position >= expected.size() || expected[position].id != e.id ||
          e.sequence != position + 1) {
        throw demo_failure("replay order: event " + e.id + " with sequence " +
                           std::to_string(e.sequence) + " is not event " +
                           std::to_string(position + 1) + " of stream " + found->first);
      }
      if (e.payload() != expected[position].payload())
        throw demo_failure("replay: the payload of event " + e.id + " differs from the appended");
      ++position;
    }
  }
  std::size_t planned = 0;
  for (const auto& stream : streams) planned += stream.events.size();
  if (summary.events != planned) {
    throw demo_failure("replay returned " + std::to_string(summary.events) + " events, " +
                       std::to_string(planned) + " were appended");
  }
  co_return summary;
}

/// A writer that lost a race: appending with a stale expected version is refused and says why.
asio::awaitable<std::string> show_conflict(evstore::repo& store, const stream_plan& stream) {
  evstore::event late;
  late.domain = stream.domain;
  late.identifier = stream.identifier;
  late.type = "late-update";
  late.set_payload(boost::json::object{{"stale", true}});
  std::vector<evstore::event> events;
  events.push_back(std::move(late));
  try {
    evstore::append_options stale;
    stale.expected_sequence = 1;
    co_await store.append(std::move(events), stale);
  } catch (const evstore::concurrency_error& conflict) {
    co_return "refused as expected (stream " + conflict.domain() + "::" + conflict.identifier() +
        " is at version " + std::to_string(conflict.actual_version()) + ", not " +
        std::to_string(conflict.expected_version()) + ")";
  }
  throw demo_failure("an append with a stale expected version was accepted");
}

asio::awaitable<void> run_demo(demo_settings settings) {
  auto executor = co_await asio::this_coro::executor;
  evstore::repo_options options;
  // A fresh table per run by default: the checks below expect only this run's events.
  const auto run_id = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  options.table_name_prefix =
      env_or("EVSTORE_TABLE_PREFIX", "demo-" + std::to_string(run_id.count()) + "-");
  options.s3_bucket_name = env_or("EVSTORE_S3_BUCKET", "evstore-demo");
  evstore::repo store(executor, evstore::aws::config::from_environment(), options);
  std::printf("evstore demo: table %s\n", store.table_name().c_str());

  auto started = std::chrono::steady_clock::now();
  co_await store.init();
  std::printf("init:     table, indexes and bucket ready in %.2f s\n", seconds_since(started));

  std::vector<stream_plan> streams = plan_events(settings);
  started = std::chrono::steady_clock::now();
  const std::size_t calls = co_await append_all(store, streams, settings);
  double elapsed = seconds_since(started);
  std::printf(
      "append:   %zu events (%zu with ~380 KB payloads, offloaded to S3) in %zu streams, %zu "
      "calls, %zu in flight: %.2f s, %.0f events/s\n",
      settings.events, settings.large, streams.size(), calls, settings.concurrency, elapsed,
      static_cast<double>(settings.events) / elapsed);

  started = std::chrono::steady_clock::now();
  replay_summary replayed = co_await replay_and_verify(store, streams);
  elapsed = seconds_since(started);
  std::printf(
      "replay:   %zu events in %zu pages over %zu months (%s .. %s): %.2f s, %.0f events/s\n",
      replayed.events, replayed.pages, replayed.months.size(), replayed.months.begin()->c_str(),
      replayed.months.rbegin()->c_str(), elapsed, static_cast<double>(replayed.events) / elapsed);
  std::printf("verified: count, every stream's order (sequence 1..n) and every payload match\n");
  const std::string conflict = co_await show_conflict(store, streams.front());
  std::printf("conflict: %s\n", conflict.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  try {
    demo_settings settings = parse_settings(argc, argv);
    asio::io_context io;
    std::exception_ptr failure;
    asio::co_spawn(io, run_demo(settings), [&failure](std::exception_ptr e) { failure = e; });
    io.run();
    if (failure) std::rethrow_exception(failure);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "evstore demo: %s\n", e.what());
    return 1;
  }
}
