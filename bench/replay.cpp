// Replays every event of a table through evstore (repo::all_events) and reports events/s, the
// process's CPU time per event, its peak RSS, and events over time.
//
// Usage: bench_replay --table-prefix P [--dynamodb-port 8000] [--s3-port 4566] [--bucket B]
//        [--page-size 100] [--passes 1] [--warmup] [--max-events N] [--cpu C] [--label L]
//        [--parallel-buckets K] [--month-slices S] [--prefetch-pages D] [--json FILE]
//        [--limit-seconds 600]
// --warmup replays once untimed first (to fill a memoizing proxy); --passes replays the table
// that many times in one process (the memory benchmark's 100,000 events); --max-events stops
// after that many; --cpu pins the process to one core; --parallel-buckets, --month-slices and
// --prefetch-pages set replay_options (default: the library's).

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>

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

/// Events replayed, and (seconds since start, events so far) after each page.
struct replay_run {
  std::size_t events = 0;
  std::size_t payload_bytes = 0;
  boost::json::array timeline;
};

asio::awaitable<void> replay_all(repo& store, replay_options options, std::size_t max_events,
                                 double start, replay_run& run) {
  replay pages = store.all_events(options);
  while (auto page = co_await pages.next()) {
    for (const event& e : *page) run.payload_bytes += e.payload_json.size();
    run.events += page->size();
    run.timeline.push_back(boost::json::array{bench::wall_seconds() - start, run.events});
    if (max_events != 0 && run.events >= max_events) break;
  }
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

  asio::io_context io(1);
  repo store(
      io.get_executor(),
      bench::local_config(args.number("--dynamodb-port", 8000), args.number("--s3-port", 4566)),
      {.table_name_prefix = args.text("--table-prefix", ""),
       .s3_bucket_name = args.text("--bucket", "evstore-bench"),
       .skip_table_creation = true,
       .skip_bucket_creation = true});
  if (args.has("--warmup")) {
    replay_run warmup;
    bench::run_for(io, replay_all(store, options, max_events, bench::wall_seconds(), warmup),
                   limit);
  }

  replay_run run;
  const double cpu_start = bench::process_cpu_seconds();
  const double start = bench::wall_seconds();
  for (long pass = 0; pass < passes; ++pass)
    bench::run_for(io, replay_all(store, options, max_events, start, run), limit);
  const double seconds = bench::wall_seconds() - start;
  const double cpu = bench::process_cpu_seconds() - cpu_start;
  if (run.events == 0) throw std::runtime_error("the table holds no events: seed it first");

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
