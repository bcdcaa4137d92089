// Subscriptions on DynamoDB Local: appends at a steady rate while 1, then 8, subscribers follow
// the log with the default options, and reports commit-to-delivery latency (from the append's
// answer to the page holding the event; p50, p99, max) side by side, then the requests/s of one
// idle subscriber.
//
// Usage: bench_subscribe --table-prefix P [--dynamodb-port 8000] [--s3-port 4566] [--rate 500]
//        [--seconds 10] [--subscribers 1,8] [--idle-seconds 5] [--page-size N]
//        [--late-window-ms W] [--json FILE]
// Each run appends for --seconds at --rate events/s (every 100 ms an append of rate/10 events
// over 10 streams), then waits until every subscriber has every event (at most 20 s more). The
// table is made afresh for each run and dropped at the end.

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "evstore/store/repo.hpp"
#include "support/arguments.hpp"
#include "support/local_repo.hpp"
#include "support/report.hpp"

namespace asio = boost::asio;
namespace chr = std::chrono;
using namespace evstore;
using steady = chr::steady_clock;

namespace {

struct run_figures {
  std::size_t subscribers = 0;
  std::size_t appended = 0;
  std::size_t delivered = 0;  ///< over all subscribers
  std::vector<double> latencies_ms;
};

/// When each event's append answered.
using ack_times = std::map<std::string, steady::time_point>;

asio::awaitable<void> pause(chr::milliseconds time) {
  asio::steady_timer timer(co_await asio::this_coro::executor, time);
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<void> append_steadily(repo& store, long rate, long seconds, ack_times& acks,
                                      std::size_t& appended) {
  const long per_tick = std::max(1L, rate / 10);
  const auto start = steady::now();
  for (long tick = 0; tick < seconds * 10; ++tick) {
    std::vector<event> batch;
    for (long i = 0; i < per_tick; ++i) {
      event e;
      e.domain = "bench";
      e.identifier = "s" + std::to_string(i % 10);
      e.type = "ticked";
      e.payload_json = R"({"tick":)" + std::to_string(tick) + "}";
      batch.push_back(std::move(e));
    }
    const std::vector<event> stored = co_await store.append(std::move(batch));
    const auto now = steady::now();
    for (const event& e : stored) acks.emplace(e.id, now);
    appended += stored.size();
    const auto next = start + chr::milliseconds{100 * (tick + 1)};
    if (next > steady::now())
      co_await pause(chr::duration_cast<chr::milliseconds>(next - steady::now()));
  }
}

asio::awaitable<void> follow(subscription& from, const ack_times& acks, std::size_t wanted,
                             run_figures& figures, std::size_t& got) {
  while (got < wanted) {
    std::optional<subscription_page> page = co_await from.next();
    if (!page) break;
    const auto now = steady::now();
    for (const event& e : page->events) {
      ++got;
      ++figures.delivered;
      const auto ack = acks.find(e.id);
      // An event can be delivered before its append's answer arrives: counted as 0.
      if (ack != acks.end())
        figures.latencies_ms.push_back(
            std::max(0.0, chr::duration<double, std::milli>(now - ack->second).count()));
    }
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

asio::awaitable<void> run_once(repo& store, std::size_t subscribers, long rate, long seconds,
                               long page_size, long late_window_ms, run_figures& figures) {
  co_await store.reset_store();
  ack_times acks;
  const std::size_t expected = static_cast<std::size_t>(std::max(1L, rate / 10) * seconds * 10);
  std::vector<std::unique_ptr<subscription>> followers;
  std::vector<std::size_t> got(subscribers, 0);
  std::size_t running = subscribers;
  for (std::size_t s = 0; s < subscribers; ++s) {
    subscription_options options;
    options.idle_limit = chr::seconds{20};
    if (page_size > 0) options.page_size = static_cast<std::size_t>(page_size);
    if (late_window_ms > 0) options.late_window = chr::milliseconds{late_window_ms};
    followers.push_back(std::make_unique<subscription>(store.subscribe(options)));
    asio::co_spawn(co_await asio::this_coro::executor,
                   follow(*followers.back(), acks, expected, figures, got[s]),
                   [&running](std::exception_ptr error) {
                     --running;
                     if (error) std::rethrow_exception(error);
                   });
  }
  co_await append_steadily(store, rate, seconds, acks, figures.appended);
  for (int waited = 0; running > 0 && waited < 250; ++waited)
    co_await pause(chr::milliseconds{100});
  for (auto& f : followers) f->stop();
  while (running > 0) co_await pause(chr::milliseconds{50});
  figures.subscribers = subscribers;
}

/// Requests/s of one subscriber with nothing written, over `seconds`.
asio::awaitable<double> idle_rate(repo& store, long seconds) {
  subscription_options options;
  options.from = subscription_start::now;
  options.idle_limit = chr::seconds{seconds};
  subscription idle = store.subscribe(options);
  co_await pause(chr::milliseconds{0});
  // The first call reads the metadata item and starts; the count starts after it.
  const std::uint64_t before = store.metrics().dynamodb.requests;
  const auto start = steady::now();
  while (co_await idle.next()) {
  }
  const double elapsed = chr::duration<double>(steady::now() - start).count();
  co_return static_cast<double>(store.metrics().dynamodb.requests - before) / elapsed;
}

std::vector<std::size_t> counts(const std::string& text) {
  std::vector<std::size_t> values;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    values.push_back(std::stoul(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return values;
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {});
  if (!args.has("--table-prefix")) throw std::invalid_argument("--table-prefix is required");
  const long rate = std::max(10L, args.number("--rate", 500));
  const long seconds = std::max(1L, args.number("--seconds", 10));
  const long page_size = args.number("--page-size", 0);
  const long late_window_ms = args.number("--late-window-ms", 0);
  const long idle_seconds = std::max(1L, args.number("--idle-seconds", 5));
  asio::io_context io(1);
  repo store(
      io.get_executor(),
      bench::local_config(args.number("--dynamodb-port", 8000), args.number("--s3-port", 4566)),
      {.table_name_prefix = args.text("--table-prefix", ""), .skip_bucket_creation = true});
  bench::run_for(io, store.init(), chr::seconds(120));

  boost::json::array runs;
  std::printf("%-12s %8s %10s %10s %10s %10s\n", "subscribers", "events", "p50 ms", "p99 ms",
              "max ms", "delivered");
  for (const std::size_t subscribers : counts(args.text("--subscribers", "1,8"))) {
    run_figures figures;
    bench::run_for(io,
                   run_once(store, subscribers, rate, seconds, page_size, late_window_ms, figures),
                   chr::seconds(seconds + 120));
    const double p50 = percentile(figures.latencies_ms, 0.5);
    const double p99 = percentile(figures.latencies_ms, 0.99);
    const double max = percentile(figures.latencies_ms, 1.0);
    std::printf("%-12zu %8zu %10.0f %10.0f %10.0f %10zu\n", subscribers, figures.appended, p50, p99,
                max, figures.delivered);
    runs.push_back(boost::json::object{{"subscribers", subscribers},
                                       {"events", figures.appended},
                                       {"delivered", figures.delivered},
                                       {"p50_ms", p50},
                                       {"p99_ms", p99},
                                       {"max_ms", max}});
  }
  bench::run_for(io, store.reset_store(), chr::seconds(120));
  const double idle = bench::run_for(io, idle_rate(store, idle_seconds), chr::seconds(120));
  std::printf("idle subscriber: %.1f DynamoDB requests/s\n", idle);
  bench::write_json(args.text("--json", ""), {{"rate", rate},
                                              {"seconds", seconds},
                                              {"runs", std::move(runs)},
                                              {"idle_requests_per_second", idle}});
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "bench_subscribe: %s\n", error.what());
  return 1;
}
