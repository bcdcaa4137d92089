// Replays every event of a table through evstore (repo::all_events) and reports events/s, the
// process's CPU time per event, its peak RSS, and events over time.
//
// Usage: bench_replay --table-prefix P [--dynamodb-port 8000] [--s3-port 4566] [--bucket B]
//        [--page-size 100] [--passes 1] [--warmup] [--max-events N] [--cpu C] [--label L]
//        [--parallel-buckets K] [--month-slices S] [--prefetch-pages D] [--json FILE]
//        [--limit-seconds 600] [--threads 1] [--expect-events N]
// --warmup replays once untimed first (to fill a memoizing proxy); --passes replays the table
// that many times in one process (the memory benchmark's 100,000 events); --max-events stops
// after that many; --cpu pins the process to one core; --parallel-buckets, --month-slices and
// --prefetch-pages set replay_options (default: the library's). --threads T > 1 splits the
// table's months into T consecutive shares, each replayed by its own thread running its own
// io_context and repo (connection pools are single-threaded, and a repo's replay tasks run on
// its executor: one io_context per thread is the documented way, with no locks shared but the
// process's allocator). --expect-events fails the run unless exactly N events were replayed.
// Every run checks that events come in `created` order (within each thread's share).

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "evstore/store/repo.hpp"
#include "support/arguments.hpp"
#include "support/local_repo.hpp"
#include "support/process_usage.hpp"
#include "support/report.hpp"

namespace asio = boost::asio;
using namespace evstore;

namespace {

/// A run's timeline keeps at most about this many points: every page until then, then every
/// second one of those kept and of the pages after, and so on, so that memory stays flat.
constexpr std::size_t max_timeline_points = 2048;

/// Events replayed, and (seconds since start, events so far) after some of the pages.
struct replay_run {
  std::size_t events = 0;
  std::size_t payload_bytes = 0;
  boost::json::array timeline;
  std::size_t pages = 0;
  std::size_t page_stride = 1;  ///< a timeline point every this many pages
  std::optional<timestamp> last_created;

  void record_page(double seconds) {
    if (++pages % page_stride != 0) return;
    if (timeline.size() >= max_timeline_points) {
      boost::json::array kept;
      for (std::size_t i = 1; i < timeline.size(); i += 2) kept.push_back(timeline[i]);
      timeline = std::move(kept);
      page_stride *= 2;
    }
    timeline.push_back(boost::json::array{seconds, events});
  }
};

asio::awaitable<void> replay_all(repo& store, replay_options options, std::size_t max_events,
                                 double start, replay_run& run) {
  replay pages = store.all_events(options);
  run.last_created.reset();
  while (auto page = co_await pages.next()) {
    for (const event& e : *page) {
      run.payload_bytes += e.payload_json.size();
      if (run.last_created && e.created < *run.last_created)
        throw std::runtime_error("event " + e.id + " came after a later one");
      run.last_created = e.created;
    }
    run.events += page->size();
    run.record_page(bench::wall_seconds() - start);
    if (max_events != 0 && run.events >= max_events) break;
  }
}

/// The months of [first, last] cut into `shares` consecutive runs of (nearly) equal length.
std::vector<std::pair<std::chrono::year_month, std::chrono::year_month>> month_shares(
    const month_range& months, std::size_t shares) {
  const auto count = static_cast<std::size_t>((months.last - months.first).count() + 1);
  shares = std::clamp<std::size_t>(shares, 1, count);
  std::vector<std::pair<std::chrono::year_month, std::chrono::year_month>> cut;
  std::size_t begin = 0;
  for (std::size_t s = 0; s < shares; ++s) {
    const std::size_t end = count * (s + 1) / shares;
    cut.emplace_back(months.first + std::chrono::months{static_cast<int>(begin)},
                     months.first + std::chrono::months{static_cast<int>(end - 1)});
    begin = end;
  }
  return cut;
}

repo_options bench_repo_options(const bench::arguments& args) {
  return {.table_name_prefix = args.text("--table-prefix", ""),
          .s3_bucket_name = args.text("--bucket", "evstore-bench"),
          .skip_table_creation = true,
          .skip_bucket_creation = true};
}

/// Replays the shares of months on threads of their own, each with its own io_context and
/// repo; adds up their events.
replay_run replay_on_threads(const bench::arguments& args, const replay_options& options,
                             std::size_t threads, std::chrono::seconds limit, double start) {
  const aws::config config =
      bench::local_config(args.number("--dynamodb-port", 8000), args.number("--s3-port", 4566));
  std::optional<month_range> months;
  {
    asio::io_context io(1);
    repo store(io.get_executor(), config, bench_repo_options(args));
    months = bench::run_for(io, store.event_months(), limit);
  }
  if (!months) throw std::runtime_error("the table holds no events: seed it first");
  const auto shares = month_shares(*months, threads);
  std::vector<replay_run> runs(shares.size());
  std::vector<std::exception_ptr> failures(shares.size());
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < shares.size(); ++t) {
    workers.emplace_back([&, t] {
      try {
        asio::io_context io(1);
        repo store(io.get_executor(), config, bench_repo_options(args));
        replay_options share = options;
        share.first_month = shares[t].first;
        share.last_month = shares[t].second;
        bench::run_for(io, replay_all(store, share, 0, start, runs[t]), limit);
      } catch (...) {
        failures[t] = std::current_exception();
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
  replay_run total;
  for (replay_run& run : runs) {
    total.events += run.events;
    total.payload_bytes += run.payload_bytes;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {"--warmup"});
  if (!args.has("--table-prefix")) throw std::invalid_argument("--table-prefix is required");
  if (args.has("--cpu") && !bench::pin_to_cpu(static_cast<int>(args.number("--cpu", 0))))
    throw std::runtime_error("cannot pin the process to the --cpu core");
  replay_options options;
  options.page_size = static_cast<std::size_t>(args.number("--page-size", 100));
  options.parallel_buckets = static_cast<std::size_t>(
      args.number("--parallel-buckets", static_cast<long>(options.parallel_buckets)));
  options.month_slices = static_cast<std::size_t>(
      args.number("--month-slices", static_cast<long>(options.month_slices)));
  options.prefetch_pages = static_cast<std::size_t>(
      args.number("--prefetch-pages", static_cast<long>(options.prefetch_pages)));
  const long passes = std::max(1L, args.number("--passes", 1));
  const std::size_t max_events = static_cast<std::size_t>(args.number("--max-events", 0));
  const std::chrono::seconds limit(args.number("--limit-seconds", 600));

  const auto threads = static_cast<std::size_t>(std::max(1L, args.number("--threads", 1)));

  replay_run run;
  double cpu_start = 0;
  double start = 0;
  if (threads > 1) {
    cpu_start = bench::process_cpu_seconds();
    start = bench::wall_seconds();
    run = replay_on_threads(args, options, threads, limit, start);
  } else {
    asio::io_context io(1);
    repo store(
        io.get_executor(),
        bench::local_config(args.number("--dynamodb-port", 8000), args.number("--s3-port", 4566)),
        bench_repo_options(args));
    if (args.has("--warmup")) {
      replay_run warmup;
      bench::run_for(io, replay_all(store, options, max_events, bench::wall_seconds(), warmup),
                     limit);
    }
    cpu_start = bench::process_cpu_seconds();
    start = bench::wall_seconds();
    for (long pass = 0; pass < passes; ++pass)
      bench::run_for(io, replay_all(store, options, max_events, start, run), limit);
  }
  const double seconds = bench::wall_seconds() - start;
  const double cpu = bench::process_cpu_seconds() - cpu_start;
  if (run.events == 0) throw std::runtime_error("the table holds no events: seed it first");
  if (args.has("--expect-events") &&
      run.events != static_cast<std::size_t>(args.number("--expect-events", 0)))
    throw std::runtime_error("replayed " + std::to_string(run.events) + " events, not the " +
                             args.text("--expect-events", "") + " expected");

  const std::string label = args.text("--label", "evstore replay");
  const double events = static_cast<double>(run.events);
  std::printf(
      "%s: %zu events in %.2f s: %.0f events/s, client CPU %.2f us/event, peak RSS %.1f MiB\n",
      label.c_str(), run.events, seconds, events / seconds, cpu * 1e6 / events,
      static_cast<double>(bench::peak_rss_kib()) / 1024.0);
  const boost::json::object figures{{"label", label},
                                    {"client", "evstore"},
                                    {"events", run.events},
                                    {"payload_bytes", run.payload_bytes},
                                    {"page_size", options.page_size},
                                    {"parallel_buckets", options.parallel_buckets},
                                    {"month_slices", options.month_slices},
                                    {"prefetch_pages", options.prefetch_pages},
                                    {"passes", passes},
                                    {"threads", threads},
                                    {"seconds", seconds},
                                    {"events_per_s", events / seconds},
                                    {"cpu_seconds", cpu},
                                    {"cpu_us_per_event", cpu * 1e6 / events},
                                    {"peak_rss_kib", bench::peak_rss_kib()},
                                    {"timeline", std::move(run.timeline)}};
  if (!bench::write_json(args.text("--json", ""), figures)) {
    std::fprintf(stderr, "bench_replay: cannot write the JSON file\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_replay: %s\n", e.what());
  return 1;
}
