// Soak: appends and replays mixed for a given time through fault-injecting proxies in front of
// DynamoDB Local and fauxqs, printing the process's resident memory and open file descriptors
// (from /proc/self) as it goes, so leaks of memory, sockets or timers show as growth.
//
//   bench_soak [--seconds 600] [--fault-percent 20] [--writers 8] [--report-every 30]
//              [--dynamodb-port 8000] [--s3-port 4566] [--seed 1]
//
// Each writer appends single events (every 100th with a payload large enough to go to S3) to
// its own stream with the expected version; one reader replays the whole table again and
// again. At the end the table is read without faults and must hold every acknowledged event.

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/dynamodb/client.hpp"
#include "evstore/s3/client.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "support/arguments.hpp"
#include "support/fault_proxy.hpp"
#include "support/for_each_concurrently.hpp"
#include "support/local_repo.hpp"

namespace asio = boost::asio;
using namespace evstore;

namespace {

using clock_type = std::chrono::steady_clock;

/// VmRSS of /proc/self/status in KiB (0 when unreadable).
long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  return 0;
}

/// Entries of /proc/self/fd, less the one the listing itself holds.
long open_fds() {
  long count = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
       it.increment(ec))
    ++count;
  return count > 0 ? count - 1 : 0;
}

struct soak_counters {
  std::atomic<std::uint64_t> appended{0};
  std::atomic<std::uint64_t> append_failures{0};
  std::atomic<std::uint64_t> outcome_unknown{0};
  std::atomic<std::uint64_t> replays{0};
  std::atomic<std::uint64_t> replayed_events{0};
  std::atomic<std::uint64_t> replay_failures{0};
  std::atomic<std::uint64_t> out_of_order{0};
  /// Failures by message (cut to 160 characters); touched on the io thread only.
  std::map<std::string, std::uint64_t> errors;

  void failed(std::string_view what, const std::exception& error) {
    ++errors[std::string(what) + ": " + std::string(error.what()).substr(0, 160)];
  }
};

asio::awaitable<void> write_stream(repo& store, std::size_t writer, clock_type::time_point end,
                                   soak_counters& counters) {
  const std::string identifier = "w" + std::to_string(writer);
  std::uint64_t version = 0;
  for (std::uint64_t n = 0; clock_type::now() < end; ++n) {
    event e;
    e.domain = "soak";
    e.identifier = identifier;
    e.type = "ticked";
    e.payload_json = R"({"n":)" + std::to_string(n) + R"(,"pad":")" +
                     std::string(n % 100 == 42 ? 360'000 : 200, 'p') + "\"}";
    std::vector<event> batch{std::move(e)};
    append_options options;
    options.expected_sequence = version;
    try {
      const std::vector<event> stored = co_await store.append(std::move(batch), options);
      version = stored.front().sequence;
      ++counters.appended;
      continue;
    } catch (const boost::system::system_error& error) {
      ++counters.append_failures;
      if (error.code() == store_errc::outcome_unknown) ++counters.outcome_unknown;
      counters.failed("append", error);
    } catch (const std::exception& error) {
      ++counters.append_failures;
      counters.failed("append", error);
    }
    try {
      version = co_await store.stream_sequence("soak", identifier);
    } catch (const std::exception&) {
      // The next append's conflict (or success) tells the version again.
    }
  }
}

asio::awaitable<void> replay_again_and_again(repo& store, clock_type::time_point end,
                                             soak_counters& counters) {
  while (clock_type::now() < end) {
    replay_options options;
    options.page_size = 200;
    replay cursor = store.all_events(options);
    try {
      std::optional<timestamp> last;
      for (std::size_t pages = 0; pages < 1'000'000; ++pages) {
        std::optional<std::vector<event>> page = co_await cursor.next();
        if (!page) break;
        for (const event& e : *page) {
          if (last && e.created && *e.created < *last) ++counters.out_of_order;
          last = e.created;
        }
        counters.replayed_events += page->size();
      }
      ++counters.replays;
    } catch (const std::exception& error) {
      ++counters.replay_failures;
      counters.failed("replay", error);
    }
  }
}

asio::awaitable<void> report(clock_type::time_point start, clock_type::time_point end,
                             std::chrono::seconds every, const soak_counters& counters,
                             const test::fault_proxy& dynamodb, const test::fault_proxy& s3) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (auto next = start + every; next < end; next += every) {
    timer.expires_at(next);
    co_await timer.async_wait(asio::use_awaitable);
    std::printf(
        "t=%4.0fs rss_kib=%ld fds=%ld appended=%llu append_failures=%llu replays=%llu "
        "replayed_events=%llu replay_failures=%llu faults=%zu\n",
        std::chrono::duration<double>(clock_type::now() - start).count(), resident_kib(),
        open_fds(), static_cast<unsigned long long>(counters.appended.load()),
        static_cast<unsigned long long>(counters.append_failures.load()),
        static_cast<unsigned long long>(counters.replays.load()),
        static_cast<unsigned long long>(counters.replayed_events.load()),
        static_cast<unsigned long long>(counters.replay_failures.load()),
        dynamodb.counts().faults() + s3.counts().faults());
    std::fflush(stdout);
  }
}

asio::awaitable<std::uint64_t> count_events(repo& store) {
  replay_options options;
  options.page_size = 1000;
  replay cursor = store.all_events(options);
  std::uint64_t count = 0;
  while (auto page = co_await cursor.next()) count += page->size();
  co_return count;
}

asio::awaitable<void> drop(dynamodb::client& ddb, s3::client& s3, std::string table,
                           std::string bucket) {
  const dynamodb::delete_table_request request{.table_name = table};
  co_await ddb.delete_table(request);
  std::vector<std::string> keys;
  for (const auto& object : co_await s3.list_all_objects(bucket, "")) keys.push_back(object.key);
  if (!keys.empty()) co_await s3.delete_objects(bucket, std::move(keys));
  co_await s3.delete_bucket(bucket);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const bench::arguments args(argc, argv, {});
    const std::chrono::seconds duration{args.number("--seconds", 600)};
    const long fault_percent = args.number("--fault-percent", 20);
    const std::size_t writers = static_cast<std::size_t>(args.number("--writers", 8));
    const std::chrono::seconds every{std::max(1L, args.number("--report-every", 30))};
    const long dynamodb_port = args.number("--dynamodb-port", 8000);
    const long s3_port = args.number("--s3-port", 4566);
    if (fault_percent > 100 || writers == 0)
      throw std::invalid_argument("--fault-percent is at most 100 and --writers at least 1");

    asio::io_context io;
    const std::string name = "evstore-soak-" + std::to_string(::getpid());
    repo_options options;
    options.table_name_prefix = name + "-";
    options.s3_bucket_name = name;
    const aws::config direct_config = bench::local_config(dynamodb_port, s3_port);
    repo direct(io.get_executor(), direct_config, options);
    bench::run_for(io, direct.init(), std::chrono::seconds(120));

    test::fault_proxy_options proxy_options;
    proxy_options.fault_share = static_cast<double>(fault_percent) / 100.0;
    proxy_options.seed = static_cast<std::uint64_t>(args.number("--seed", 1));
    proxy_options.stall_time = std::chrono::milliseconds(3'500);
    proxy_options.upstream_url = direct_config.service_endpoint_urls.at("dynamodb");
    test::fault_proxy dynamodb_proxy(proxy_options);
    proxy_options.upstream_url = direct_config.service_endpoint_urls.at("s3");
    proxy_options.service = test::proxied_service::s3;
    proxy_options.seed += 1;
    test::fault_proxy s3_proxy(proxy_options);

    aws::config faulted_config = direct_config;
    faulted_config.service_endpoint_urls["dynamodb"] = dynamodb_proxy.url();
    faulted_config.service_endpoint_urls["s3"] = s3_proxy.url();
    repo_options faulted_options = options;
    faulted_options.skip_table_creation = true;
    faulted_options.skip_bucket_creation = true;
    // Generous: on a loaded machine (the soak runs at low priority) a tight timeout turns
    // scheduling delays into failed requests, which is not what the soak looks for.
    faulted_options.request_timeout = std::chrono::seconds(3);
    faulted_options.max_attempts = 8;
    repo faulted(io.get_executor(), faulted_config, faulted_options);

    const auto start = clock_type::now();
    const auto end = start + duration;
    const long start_rss = resident_kib();
    const long start_fds = open_fds();
    std::printf("soak: %lld s, %ld%% of requests faulted, %zu writers; start rss_kib=%ld fds=%ld\n",
                static_cast<long long>(duration.count()), fault_percent, writers, start_rss,
                start_fds);
    std::fflush(stdout);

    soak_counters counters;
    asio::co_spawn(io, report(start, end, every, counters, dynamodb_proxy, s3_proxy),
                   asio::detached);
    bench::run_for(
        io,
        test::for_each_concurrently(writers + 1, writers + 1,
                                    [&](std::size_t task) -> asio::awaitable<void> {
                                      if (task == writers)
                                        co_await replay_again_and_again(faulted, end, counters);
                                      else
                                        co_await write_stream(faulted, task, end, counters);
                                    }),
        duration + std::chrono::seconds(300));
    const long end_rss = resident_kib();
    const long end_fds = open_fds();

    const std::uint64_t stored =
        bench::run_for(io, count_events(direct), std::chrono::seconds(300));
    const std::uint64_t acknowledged = counters.appended.load();
    const bool complete =
        stored >= acknowledged && stored <= acknowledged + counters.outcome_unknown.load();
    std::printf("end rss_kib=%ld fds=%ld (start rss_kib=%ld fds=%ld)\n", end_rss, end_fds,
                start_rss, start_fds);
    std::printf("appended=%llu append_failures=%llu outcome_unknown=%llu stored=%llu %s\n",
                static_cast<unsigned long long>(acknowledged),
                static_cast<unsigned long long>(counters.append_failures.load()),
                static_cast<unsigned long long>(counters.outcome_unknown.load()),
                static_cast<unsigned long long>(stored),
                complete ? "(every acknowledged event stored)" : "(MISMATCH)");
    std::printf("replays=%llu replayed_events=%llu replay_failures=%llu out_of_order=%llu\n",
                static_cast<unsigned long long>(counters.replays.load()),
                static_cast<unsigned long long>(counters.replayed_events.load()),
                static_cast<unsigned long long>(counters.replay_failures.load()),
                static_cast<unsigned long long>(counters.out_of_order.load()));
    for (const auto& [what, count] : counters.errors)
      std::printf("failure x%llu: %s\n", static_cast<unsigned long long>(count), what.c_str());
    std::printf("DynamoDB proxy: %s\nS3 proxy: %s\n", dynamodb_proxy.counts().summary().c_str(),
                s3_proxy.counts().summary().c_str());

    dynamodb::client ddb(aws::service_client{
        io.get_executor(), direct_config.endpoint_for("dynamodb"), direct_config.region, "dynamodb",
        aws::make_static_credentials_provider(io.get_executor(),
                                              *direct_config.static_credentials)});
    s3::client s3(io.get_executor(), direct_config,
                  aws::make_static_credentials_provider(io.get_executor(),
                                                        *direct_config.static_credentials));
    bench::run_for(io, drop(ddb, s3, direct.table_name(), name), std::chrono::seconds(120));
    return complete && counters.out_of_order == 0 ? 0 : 1;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bench_soak: %s\n", error.what());
    return 1;
  }
}
