// Appends through evstore: `events` events in batches of `batch` over `streams` streams, with
// `in-flight` appends outstanding at once (each worker owns the streams s with s % W == w, so
// no two appends race on a stream). Also seeds the replay benchmarks' table (--months spreads
// the events' times over that many months).
//
// Usage: bench_append --table-prefix P [--dynamodb-port 8000] [--s3-port 4566]
//        [--bucket B] [--events 20000] [--batch 10] [--streams 200] [--in-flight 16]
//        [--payload-bytes 1024] [--months 0] [--label L] [--json FILE] [--limit-seconds 600]
//        [--skip-table-creation] [--server-pid PID]
// --skip-table-creation appends to a table made beforehand (e.g. by the adapter, whose table
// has no streamIndex), to tell the cost of evstore's requests from the cost of its index.
// --server-pid names the DynamoDB Local process (its java process, not the shell that started
// it): the CPU time it used during the timed section is reported per event, the work evstore's
// requests cost the server.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include "evstore/aws/metrics.hpp"
#include "evstore/store/repo.hpp"
#include "support/arguments.hpp"
#include "support/bench_events.hpp"
#include "support/local_repo.hpp"
#include "support/process_usage.hpp"
#include "support/report.hpp"

namespace asio = boost::asio;
using namespace evstore;

namespace {

struct workload {
  std::size_t events;
  std::size_t batch;
  std::size_t streams;
  std::size_t in_flight;
  std::size_t payload_bytes;
  int months;
};

/// Worker `w`'s batches, in order: round by round, one batch for each of its streams. Built
/// before the clock starts, so the figures count the appends, not making up events.
std::vector<std::vector<event>> worker_batches(const workload& work,
                                               const bench::spread_times* times, std::size_t w) {
  std::vector<std::vector<event>> batches;
  const std::size_t per_stream = work.events / work.streams;
  for (std::size_t first = 0; first < per_stream; first += work.batch) {
    for (std::size_t s = w; s < work.streams; s += work.in_flight) {
      std::vector<event>& batch = batches.emplace_back();
      for (std::size_t k = first; k < std::min(first + work.batch, per_stream); ++k) {
        batch.push_back(bench::bench_event(s, k, work.payload_bytes));
        if (times != nullptr) batch.back().created = times->at(k * work.streams + s);
      }
    }
  }
  return batches;
}

/// The appends the workload makes: one a batch.
std::size_t total_batches(const workload& work) {
  const std::size_t per_stream = work.events / work.streams;
  return (per_stream + work.batch - 1) / work.batch * work.streams;
}

/// The DynamoDB requests of the timed section.
struct timed_requests {
  std::uint64_t requests = 0;
  std::uint64_t retries = 0;
  std::uint64_t failed = 0;
  aws::latency_histogram latency;
};

timed_requests requests_since(const aws::service_metrics_snapshot& before,
                              const aws::service_metrics_snapshot& after) {
  timed_requests timed{after.requests - before.requests,
                       after.retries - before.retries,
                       after.failed_requests - before.failed_requests,
                       {}};
  for (std::size_t b = 0; b < timed.latency.counts.size(); ++b)
    timed.latency.counts[b] = after.latency.counts[b] - before.latency.counts[b];
  return timed;
}

std::string bound_text(std::optional<std::chrono::milliseconds> bound) {
  return bound ? std::to_string(bound->count()) + " ms" : std::string("(over the last bound)");
}

/// CPU seconds (user + system) process `pid` has used so far, from /proc/PID/stat; nullopt
/// when it cannot be read.
std::optional<double> other_process_cpu_seconds(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  const std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) from the last ')': state is field 3,
  // utime and stime fields 14 and 15.
  const std::size_t end_of_name = text.rfind(')');
  if (end_of_name == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(end_of_name + 1));
  std::string field;
  double ticks = 0;
  for (int n = 3; n <= 15 && fields >> field; ++n)
    if (n >= 14) ticks += std::strtod(field.c_str(), nullptr);
  if (!fields) return std::nullopt;
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

asio::awaitable<void> append_worker(repo& store, std::vector<std::vector<event>> batches) {
  for (std::vector<event>& batch : batches) co_await store.append(std::move(batch));
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {"--skip-table-creation"});
  const workload work{static_cast<std::size_t>(args.number("--events", 20000)),
                      static_cast<std::size_t>(std::max(1L, args.number("--batch", 10))),
                      static_cast<std::size_t>(std::max(1L, args.number("--streams", 200))),
                      static_cast<std::size_t>(std::max(1L, args.number("--in-flight", 16))),
                      static_cast<std::size_t>(args.number("--payload-bytes", 1024)),
                      static_cast<int>(args.number("--months", 0))};
  const std::chrono::seconds limit(args.number("--limit-seconds", 600));
  if (!args.has("--table-prefix")) throw std::invalid_argument("--table-prefix is required");

  asio::io_context io(1);
  repo store(
      io.get_executor(),
      bench::local_config(args.number("--dynamodb-port", 8000), args.number("--s3-port", 4566)),
      {.table_name_prefix = args.text("--table-prefix", ""),
       .s3_bucket_name = args.text("--bucket", "evstore-bench"),
       .skip_table_creation = args.has("--skip-table-creation")});
  bench::run_for(io, store.init(), limit);

  std::optional<bench::spread_times> times;
  if (work.months > 0) times.emplace(work.events, work.months);
  const std::size_t appended = work.events / work.streams * work.streams;

  std::vector<std::vector<std::vector<event>>> batches;
  for (std::size_t w = 0; w < work.in_flight; ++w)
    batches.push_back(worker_batches(work, times ? &*times : nullptr, w));

  const aws::service_metrics_snapshot requests_before = store.metrics().dynamodb;
  const long server_pid = args.number("--server-pid", 0);
  const std::optional<double> server_start =
      server_pid > 0 ? other_process_cpu_seconds(server_pid) : std::nullopt;
  if (server_pid > 0 && !server_start)
    throw std::invalid_argument("--server-pid: cannot read /proc/" + std::to_string(server_pid) +
                                "/stat");
  const double cpu_start = bench::process_cpu_seconds();
  const double wall_start = bench::wall_seconds();
  std::size_t running = work.in_flight;
  std::exception_ptr failure;
  for (std::size_t w = 0; w < work.in_flight; ++w)
    asio::co_spawn(io, append_worker(store, std::move(batches[w])), [&](std::exception_ptr error) {
      --running;
      if (error && !failure) failure = error;
    });
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (running > 0 && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
  if (running > 0) throw std::runtime_error("appends took longer than --limit-seconds");
  if (failure) std::rethrow_exception(failure);
  const double seconds = bench::wall_seconds() - wall_start;
  const double cpu = bench::process_cpu_seconds() - cpu_start;
  const timed_requests requests = requests_since(requests_before, store.metrics().dynamodb);
  std::optional<double> server_cpu;
  if (server_start)
    if (const std::optional<double> end = other_process_cpu_seconds(server_pid))
      server_cpu = *end - *server_start;

  const std::string label = args.text("--label", "evstore append");
  std::printf("%s: %zu events in %.2f s: %.0f events/s, client CPU %.1f us/event\n", label.c_str(),
              appended, seconds, static_cast<double>(appended) / seconds,
              cpu * 1e6 / static_cast<double>(appended));
  const std::size_t appends = total_batches(work);
  std::printf(
      "%s: %llu DynamoDB requests (%.2f an append), %llu retries, %llu failed; "
      "request latency p50 <= %s, p90 <= %s\n",
      label.c_str(), static_cast<unsigned long long>(requests.requests),
      static_cast<double>(requests.requests) / static_cast<double>(appends),
      static_cast<unsigned long long>(requests.retries),
      static_cast<unsigned long long>(requests.failed),
      bound_text(requests.latency.quantile_bound(0.5)).c_str(),
      bound_text(requests.latency.quantile_bound(0.9)).c_str());
  if (server_cpu)
    std::printf("%s: server CPU %.1f us/event (process %ld)\n", label.c_str(),
                *server_cpu * 1e6 / static_cast<double>(appended), server_pid);
  boost::json::object figures{{"label", label},
                              {"client", "evstore"},
                              {"events", appended},
                              {"batch", work.batch},
                              {"streams", work.streams},
                              {"in_flight", work.in_flight},
                              {"payload_bytes", work.payload_bytes},
                              {"seconds", seconds},
                              {"events_per_s", static_cast<double>(appended) / seconds},
                              {"cpu_seconds", cpu},
                              {"cpu_us_per_event", cpu * 1e6 / static_cast<double>(appended)},
                              {"peak_rss_kib", bench::peak_rss_kib()},
                              {"dynamodb_requests", requests.requests},
                              {"dynamodb_retries", requests.retries}};
  if (server_cpu)
    figures["server_cpu_us_per_event"] = *server_cpu * 1e6 / static_cast<double>(appended);
  if (!bench::write_json(args.text("--json", ""), figures)) {
    std::fprintf(stderr, "bench_append: cannot write the JSON file\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_append: %s\n", e.what());
  return 1;
}
