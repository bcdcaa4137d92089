// The history checker: writer processes and coroutine writers append through fault proxies
// (throttles, 5xx, resets after the server applied a write, truncation, stalls) while replays,
// stream reads and gets run beside them; every call and its result is recorded, then the final
// table, read directly, is checked against that history (see checker.hpp for each check).
//
// Short by default (in scripts/test); scripts/history runs it long. Settings (environment):
//   EVSTORE_HISTORY_OPERATIONS  append calls in all (default 150)
//   EVSTORE_HISTORY_SEED        the run's seed (default 20261204)
//   EVSTORE_HISTORY_SECONDS     no append call starts after this (default 45)
//   EVSTORE_HISTORY_PROCESSES   writer processes (default 2)
//   EVSTORE_HISTORY_COROUTINES  coroutine writers in this process (default 4)
//   EVSTORE_HISTORY_FAULT_PERCENT  share of requests the proxies fault (default 20)

#include <boost/test/unit_test.hpp>

#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "checker.hpp"
#include "evstore/store/errors.hpp"
#include "integration/cli/run_process.hpp"
#include "integration/store/store_fixture.hpp"
#include "store/item_codec.hpp"
#include "support/fault_proxy.hpp"
#include "support/for_each_concurrently.hpp"
#include "workload.hpp"

BOOST_AUTO_TEST_SUITE(history)

using namespace evstore;
using namespace evstore::history;
namespace asio = boost::asio;
using evstore::test::store_fixture;

namespace {

std::uint64_t setting(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

struct run_settings {
  std::uint64_t operations = setting("EVSTORE_HISTORY_OPERATIONS", 150);
  std::uint64_t seed = setting("EVSTORE_HISTORY_SEED", 20261204);
  std::uint64_t seconds = setting("EVSTORE_HISTORY_SECONDS", 45);
  std::size_t processes = setting("EVSTORE_HISTORY_PROCESSES", 2);
  std::size_t coroutines = setting("EVSTORE_HISTORY_COROUTINES", 4);
  double fault_share = static_cast<double>(setting("EVSTORE_HISTORY_FAULT_PERCENT", 20)) / 100;
};

evstore::test::fault_proxy_options proxy_options(std::string upstream,
                                                 evstore::test::proxied_service service,
                                                 double share, std::uint64_t seed) {
  evstore::test::fault_proxy_options options;
  options.upstream_url = std::move(upstream);
  options.service = service;
  options.fault_share = share;
  options.seed = seed;
  options.stall_time = std::chrono::milliseconds(2'500);  // above the writers' 2 s request timeout
  return options;
}

/// A writer process and the files it writes.
struct writer_process {
  std::string name;
  std::unique_ptr<evstore::test::process_files> files =
      std::make_unique<evstore::test::process_files>();
  pid_t pid = -1;
  bool ended = false;
  int status = -1;
};

/// What the readers beside the writers saw and counted.
struct read_log {
  std::vector<observation> seen;
  std::vector<anomaly> anomalies;
  std::map<std::string, std::size_t> calls;  ///< "replay ok", "stream error", ...
  std::vector<std::string> errors;           ///< the first few error texts
  std::size_t operations = 0;

  void error(const std::string& what, const std::exception& e) {
    ++calls[what + " error"];
    if (errors.size() < 5) errors.push_back(what + ": " + e.what());
  }
  void observe(const event& e, const std::string& source) {
    std::string tag;
    if (const auto problem = self_check(e, tag)) {
      anomalies.push_back(
          {"mixed or empty event seen by a concurrent " + source, describe(e) + ": " + *problem});
      return;
    }
    if (seen.size() < 500'000) seen.push_back({e.id, tag, e.sequence, created_text(e), source});
  }
};

struct acknowledged {
  sent_event sent;
  returned_event told;
};

class history_run {
 public:
  history_run(store_fixture& fixture, run_settings settings)
      : f_(fixture),
        settings_(settings),
        random_(settings.seed ^ 0x5eed),
        dynamodb_proxy_(proxy_options(evstore::test::dynamodb_url(),
                                      evstore::test::proxied_service::dynamodb,
                                      settings.fault_share, settings.seed)),
        s3_proxy_(proxy_options(evstore::test::s3_url(), evstore::test::proxied_service::s3,
                                settings.fault_share, settings.seed + 1)) {}

  /// Runs the workload; returns the history of every append call.
  std::vector<call_record> run() {
    deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(settings_.seconds);
    const std::size_t writers = settings_.processes + settings_.coroutines;
    for (std::size_t p = 0; p < settings_.processes; ++p) start_process(p, writers);
    for (std::size_t c = 0; c < settings_.coroutines; ++c) {
      repo_options options = faulted_options(2 + c % 4);
      coroutine_repos_.push_back(
          std::make_unique<repo>(f_.io.get_executor(), faulted_config(), options));
    }
    reader_repo_ =
        std::make_unique<repo>(f_.io.get_executor(), faulted_config(), faulted_options(6));
    active_ = writers;

    const std::size_t tasks = settings_.coroutines + 1 + 2;  // writers, their watch, 2 readers
    f_.run(evstore::test::for_each_concurrently(tasks, tasks,
                                                [&](std::size_t t) -> asio::awaitable<void> {
                                                  if (t < settings_.coroutines)
                                                    co_await coroutine_writer(t, writers);
                                                  else if (t == settings_.coroutines)
                                                    co_await watch_writers();
                                                  else if (t == settings_.coroutines + 1)
                                                    co_await replay_reader();
                                                  else
                                                    co_await stream_and_get_reader();
                                                }),
           std::chrono::seconds(settings_.seconds + 240));

    std::vector<call_record> calls = std::move(coroutine_calls_);
    for (writer_process& p : processes_) {
      BOOST_TEST_CONTEXT("writer process " << p.name) {
        BOOST_TEST(p.status == 0, read_whole(p.files->path("stderr")));
        for (call_record& call : read_history_lines(read_whole(p.files->path("history"))))
          calls.push_back(std::move(call));
      }
    }
    return calls;
  }

  std::string fault_summary() const {
    return "DynamoDB: " + dynamodb_proxy_.counts().summary() +
           "; S3: " + s3_proxy_.counts().summary();
  }
  std::size_t faults() const {
    return dynamodb_proxy_.counts().faults() + s3_proxy_.counts().faults();
  }
  std::size_t dropped_transactions() const {
    return dynamodb_proxy_.count(evstore::test::fault_kind::dropped_transaction);
  }
  read_log& reads() { return reads_; }

 private:
  static std::string read_whole(const std::string& path) {
    return evstore::test::read_whole_file(path);
  }

  aws::config faulted_config() const {
    aws::config config = evstore::test::local_config();
    config.service_endpoint_urls["dynamodb"] = dynamodb_proxy_.url();
    config.service_endpoint_urls["s3"] = s3_proxy_.url();
    return config;
  }

  repo_options faulted_options(unsigned attempts) const {
    repo_options options = f_.options;
    options.skip_table_creation = true;
    options.skip_bucket_creation = true;
    options.offload_threshold_bytes = 2'000;
    options.request_timeout = std::chrono::milliseconds(2'000);
    options.max_attempts = attempts;
    options.log = {};
    return options;
  }

  std::size_t calls_for(std::size_t writer, std::size_t writers) const {
    return settings_.operations / writers + (writer < settings_.operations % writers ? 1 : 0);
  }

  void start_process(std::size_t p, std::size_t writers) {
    writer_process& process = processes_.emplace_back();
    process.name = "p" + std::to_string(p);
    const std::string history_path = process.files->path("history");
    const std::string err_path = process.files->path("stderr");
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
        deadline_ - std::chrono::steady_clock::now());
    const std::vector<std::string> argv{EVSTORE_HISTORY_WRITER_PATH,
                                        "--dynamodb",
                                        dynamodb_proxy_.url(),
                                        "--s3",
                                        s3_proxy_.url(),
                                        "--table-prefix",
                                        f_.options.table_name_prefix,
                                        "--bucket",
                                        f_.options.s3_bucket_name,
                                        "--name",
                                        process.name,
                                        "--seed",
                                        std::to_string(settings_.seed * 1000 + p),
                                        "--run-seed",
                                        std::to_string(settings_.seed),
                                        "--calls",
                                        std::to_string(calls_for(p, writers)),
                                        "--seconds",
                                        std::to_string(seconds.count()),
                                        "--max-attempts",
                                        std::to_string(2 + p % 4),
                                        "--out",
                                        history_path};
    evstore::test::spawn_file_actions actions;
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(actions.get(), 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(actions.get(), 2, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    process.pid = evstore::test::spawn_process(argv, {}, actions);
  }

  /// Reaps the writer processes as they end (one still running 120 s after the deadline is
  /// killed; its unfinished calls stay in its history as sent) and reports progress each minute,
  /// until every writer is done.
  asio::awaitable<void> watch_writers() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto next_progress = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (active_ > 0) {
      for (writer_process& p : processes_) {
        if (p.ended) continue;
        int status = 0;
        const bool late = std::chrono::steady_clock::now() > deadline_ + std::chrono::seconds(120);
        if (late) {
          ::kill(p.pid, SIGKILL);
          ::waitpid(p.pid, &status, 0);
        } else if (::waitpid(p.pid, &status, WNOHANG) == 0) {
          continue;
        }
        p.ended = true;
        p.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        --active_;
      }
      if (std::chrono::steady_clock::now() >= next_progress) {
        BOOST_TEST_MESSAGE("history: so far "
                           << coroutine_calls_.size() << " calls of the coroutine writers, "
                           << reads_.operations << " reads, " << reads_.anomalies.size()
                           << " anomalies seen by the readers; " << fault_summary());
        next_progress += std::chrono::seconds(60);
      }
      timer.expires_after(std::chrono::milliseconds(100));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }

  asio::awaitable<void> coroutine_writer(std::size_t c, std::size_t writers) {
    writer_settings settings;
    settings.name = "c" + std::to_string(c);
    settings.seed = settings_.seed * 1000 + 500 + c;
    settings.run_seed = settings_.seed;
    settings.calls = calls_for(settings_.processes + c, writers);
    settings.deadline = deadline_;
    writer w(
        *coroutine_repos_[c], settings, [](const call_record&) {},
        [this](const call_record& call) {
          coroutine_calls_.push_back(call);
          if (call.result == outcome::ok && call.returned.size() == call.events.size())
            for (std::size_t i = 0; i < call.events.size(); ++i)
              acked_.push_back({call.events[i], call.returned[i]});
        });
    co_await w.run();
    --active_;
  }

  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }

  /// Replays, from the start or from an acknowledged event, of up to 10 pages each: every event
  /// whole, no event twice, each stream's events in sequence order.
  asio::awaitable<void> replay_reader() {
    while (active_ > 0) {
      replay_options options;
      options.page_size = 1 + below(200);
      std::string from = "start";
      if (!acked_.empty() && below(3) == 0) {
        options.after_id = acked_[below(acked_.size())].told.id;
        from = *options.after_id;
      }
      ++reads_.operations;
      try {
        replay cursor = reader_repo_->all_events(options);
        std::set<std::pair<std::string, std::string>> keys;
        std::map<std::string, event> last;
        for (int pages = 0; pages < 10; ++pages) {
          std::optional<std::vector<event>> page = co_await cursor.next();
          if (!page) break;
          if (page->empty())
            reads_.anomalies.push_back({"a concurrent replay gave an empty page", from});
          for (const event& e : *page) {
            reads_.observe(e, "replay");
            if (!keys.insert({e.id, created_text(e)}).second)
              reads_.anomalies.push_back(
                  {"a concurrent replay returned an event twice", describe(e)});
            event& before = last[stream_key(e.domain, e.identifier)];
            if (e.sequence <= before.sequence)
              reads_.anomalies.push_back({"a concurrent replay contradicts a stream's order",
                                          describe(e) + " comes after " + describe(before) +
                                              " (replay from " + from + ")"});
            if (e.sequence > before.sequence) before = e;
          }
        }
        ++reads_.calls["replay ok"];
      } catch (const boost::system::system_error& e) {
        if (e.code() == store_errc::cursor_not_found)
          reads_.anomalies.push_back(
              {"replay cursor does not know an acknowledged event", from + ": " + e.what()});
        else
          reads_.error("replay", e);
      } catch (const std::exception& e) {
        reads_.error("replay", e);
      }
    }
  }

  /// Stream reads (contiguous sequences after the one asked for, all of the stream) and gets of
  /// acknowledged events (present, as acknowledged), alternately.
  asio::awaitable<void> stream_and_get_reader() {
    for (std::size_t round = 0; active_ > 0; ++round) {
      ++reads_.operations;
      if (round % 2 == 0) {
        const std::size_t s = below(stream_count);
        const std::string stream = stream_key(domain, stream_identifier(s));
        stream_read_options options;
        options.after_sequence = below(3) == 0 ? 0 : below(40);
        try {
          const std::string identifier = stream_identifier(s).value_or("");
          const std::vector<event> events =
              co_await reader_repo_->stream_events(domain, identifier, options);
          for (std::size_t i = 0; i < events.size(); ++i) {
            reads_.observe(events[i], "stream read");
            if (events[i].sequence != options.after_sequence + 1 + i ||
                stream_key(events[i].domain, events[i].identifier) != stream) {
              reads_.anomalies.push_back(
                  {"a concurrent stream read is not the stream in order",
                   stream + " after " + std::to_string(options.after_sequence) + ": position " +
                       std::to_string(i) + " is " + describe(events[i])});
              break;
            }
          }
          ++reads_.calls["stream ok"];
        } catch (const std::exception& e) {
          reads_.error("stream", e);
        }
      } else if (!acked_.empty()) {
        const acknowledged a = acked_[below(acked_.size())];
        try {
          const std::optional<event> got = co_await reader_repo_->get_event_by_id(a.told.id);
          if (!got)
            reads_.anomalies.push_back(
                {"get misses an acknowledged event", a.told.id + " tag " + a.sent.tag});
          else if (!same_content(*got, a.sent) || got->sequence != a.told.sequence ||
                   created_text(*got) != a.told.created)
            reads_.anomalies.push_back({"get differs from the acknowledged event",
                                        describe(*got) + ", acknowledged " + a.told.id + "#" +
                                            std::to_string(a.told.sequence) + " " + a.told.created +
                                            " tag " + a.sent.tag});
          else
            reads_.observe(*got, "get");
          ++reads_.calls["get ok"];
        } catch (const std::exception& e) {
          reads_.error("get", e);
        }
      } else {
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(50));
        co_await pause.async_wait(asio::use_awaitable);
      }
    }
  }

  store_fixture& f_;
  run_settings settings_;
  std::mt19937_64 random_;
  evstore::test::fault_proxy dynamodb_proxy_;
  evstore::test::fault_proxy s3_proxy_;
  std::chrono::steady_clock::time_point deadline_;
  std::vector<writer_process> processes_;
  std::vector<std::unique_ptr<repo>> coroutine_repos_;
  std::unique_ptr<repo> reader_repo_;
  std::size_t active_ = 0;
  std::vector<call_record> coroutine_calls_;
  std::vector<acknowledged> acked_;
  read_log reads_;
};

/// Every item of the table, by a consistent Scan (no index, no replay logic).
asio::awaitable<void> scan_table(store_fixture& f, final_state& table) {
  std::optional<dynamodb::item> start;
  for (int page = 0; page < 1'000'000; ++page) {
    dynamodb::scan_request request;
    request.table_name = f.store.table_name();
    request.consistent_read = true;
    request.exclusive_start_key = start;
    const dynamodb::scan_result result = co_await f.ddb.scan(request);
    for (const dynamodb::item& item : result.items) {
      const std::string& id = item.at("id").as_string();
      if (id.starts_with("EventID#HEAD::")) {
        table.heads[id.substr(std::string_view("EventID#HEAD::").size())] = head_version(item);
      } else if (item.contains("timeBucket")) {
        const decoded_item decoded = event_from_item(item);
        table.items.push_back({decoded.value.id, item.at("created").as_string(),
                               decoded.value.sequence,
                               stream_key(decoded.value.domain, decoded.value.identifier)});
      }
    }
    if (!result.last_evaluated_key) break;
    start = result.last_evaluated_key;
  }
}

asio::awaitable<std::vector<event>> read_replay(replay cursor, std::size_t limit) {
  std::vector<event> events;
  while (events.size() < limit) {
    std::optional<std::vector<event>> page = co_await cursor.next();
    if (!page) break;
    std::move(page->begin(), page->end(), std::back_inserter(events));
  }
  co_return events;
}

/// The final table, read directly: Scan, full replay, every stream, gets and resumed replays of
/// a sample.
final_state read_final_state(store_fixture& f, std::uint64_t seed) {
  final_state table;
  f.run(scan_table(f, table), std::chrono::seconds(600));
  replay_options everything;
  everything.page_size = 250;
  table.replayed =
      f.run(read_replay(f.store.all_events(everything), SIZE_MAX), std::chrono::seconds(900));
  for (std::size_t s = 0; s < stream_count; ++s) {
    const stream_read_options options;
    table.stream_reads[stream_key(domain, stream_identifier(s))] =
        f.run(f.store.stream_events(domain, stream_identifier(s).value_or(""), options),
              std::chrono::seconds(600));
  }
  std::mt19937_64 random(seed ^ 0xf1a1);
  if (table.replayed.empty()) return table;
  const auto pick = [&] {
    return std::uniform_int_distribution<std::size_t>(0, table.replayed.size() - 1)(random);
  };
  for (std::size_t i = 0; i < std::min<std::size_t>(table.replayed.size(), 1'000); ++i) {
    const std::string id =
        table.replayed.size() <= 1'000 ? table.replayed[i].id : table.replayed[pick()].id;
    table.gets[id] = f.run(f.store.get_event_by_id(id));
  }
  for (int k = 0; k < 12; ++k) {
    resumed_replay resume;
    resume.position = k == 0 ? 0 : k == 1 ? table.replayed.size() - 1 : pick();
    resume.whole = k < 4;
    replay_options options;
    options.page_size = 1 + pick() % 300;
    options.after_id = table.replayed[resume.position].id;
    resume.events = f.run(read_replay(f.store.all_events(options), resume.whole ? SIZE_MAX : 300),
                          std::chrono::seconds(900));
    if (!resume.whole && resume.events.size() > 300) resume.events.resize(300);
    table.resumes.push_back(std::move(resume));
  }
  return table;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(history_checker)

BOOST_AUTO_TEST_CASE(the_final_table_agrees_with_every_recorded_call) {
  const run_settings settings;
  repo_options tweaks;
  tweaks.offload_threshold_bytes = 2'000;
  store_fixture f("history", tweaks);
  f.run(f.store.init());

  const auto started = std::chrono::steady_clock::now();
  history_run run(f, settings);
  const std::vector<call_record> calls = run.run();
  const auto wrote = std::chrono::steady_clock::now();
  const final_state table = read_final_state(f, settings.seed);
  const auto took = [](auto from, auto to) {
    return std::chrono::duration<double>(to - from).count();
  };

  checker check(calls);
  std::vector<anomaly> anomalies = check.check(table, run.reads().seen);
  for (anomaly& a : run.reads().anomalies) anomalies.push_back(std::move(a));

  std::map<outcome, std::size_t> outcomes;
  std::size_t events_sent = 0;
  for (const call_record& call : calls) {
    ++outcomes[call.result];
    events_sent += call.events.size();
  }
  std::string outcome_text;
  for (const auto& [o, count] : outcomes)
    outcome_text += " " + std::string(to_string(o)) + " " + std::to_string(count);
  std::string read_text;
  for (const auto& [what, count] : run.reads().calls)
    read_text += " " + what + " " + std::to_string(count);
  BOOST_TEST_MESSAGE("history: seed "
                     << settings.seed << ", operations " << calls.size() + run.reads().operations
                     << " (append calls " << calls.size() << ":" << outcome_text << "; reads "
                     << run.reads().operations << ":" << read_text << "), events sent "
                     << events_sent << ", stored " << table.items.size() << ", writers "
                     << settings.processes << " processes + " << settings.coroutines
                     << " coroutines, " << took(started, wrote) << " s writing, "
                     << took(wrote, std::chrono::steady_clock::now()) << " s checking; faults "
                     << run.faults() << " (" << run.fault_summary() << "); anomalies "
                     << anomalies.size());
  for (const std::string& error : run.reads().errors) BOOST_TEST_MESSAGE("  read error: " << error);
  // What the failed calls were told, two of each outcome.
  std::map<outcome, std::size_t> shown;
  for (const call_record& call : calls)
    if (call.result != outcome::ok && shown[call.result]++ < 2)
      BOOST_TEST_MESSAGE("  " << to_string(call.result) << ": " << call.call << ": "
                              << call.error.substr(0, 300));
  BOOST_TEST(anomalies.empty(), "anomalies (seed " << settings.seed << "):\n"
                                                   << anomaly_report(anomalies));
  // The run proved something: faults were injected, lost answers among them, and calls were made.
  BOOST_TEST(run.faults() > 0u);
  BOOST_TEST(run.dropped_transactions() > 0u);
  BOOST_TEST(calls.size() >= settings.operations / 4,
             "too few calls were made before the deadline");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
