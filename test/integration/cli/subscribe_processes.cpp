// `evstore subscribe` as processes, while `evstore append` processes write through a fault proxy
// (throttling, server errors, resets, stalls: delays between stamping and commit), some with
// `created` seconds in the past (late arrivals). One subscriber is stopped with SIGTERM and
// restarted from its checkpoint file again and again: its output must be every committed event
// exactly once, each stream in order (events of appends too slow for the bound excepted). One is
// killed with SIGKILL and restarted: it loses nothing and repeats only events of its last, unsaved
// page. An event later than the late window is reported on stderr. "Committed" is what the table
// holds at the end (acknowledged appends and those whose answer a fault lost alike).

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/store/time.hpp"
#include "integration/cli/cli_fixture.hpp"
#include "integration/cli/spawn.hpp"
#include "support/fault_proxy.hpp"

BOOST_AUTO_TEST_SUITE(subscribe_processes)

using namespace evstore;
using namespace evstore::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// "missing: a b; extra: c" between what was expected and what came.
std::string difference(const std::set<std::string>& expected, const std::set<std::string>& got) {
  std::string text = "missing:";
  for (const std::string& id : expected)
    if (!got.contains(id)) text += " " + id;
  text += "; extra:";
  for (const std::string& id : got)
    if (!expected.contains(id)) text += " " + id;
  return text;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// One `evstore subscribe` run: stdout appended to `out`, stderr appended to `err`.
class subscriber_run {
 public:
  subscriber_run(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& environment, const fs::path& out,
                 const fs::path& err) {
    spawn_file_actions actions;
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(actions.get(), 1, out.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_addopen(actions.get(), 2, err.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    std::vector<std::string> argv = args;
    argv.insert(argv.begin(), EVSTORE_CLI_PATH);
    pid_ = spawn_process(argv, environment, actions);
  }
  ~subscriber_run() {
    if (pid_ > 0) {
      int status = 0;
      ::kill(pid_, SIGKILL);
      wait_or_kill(pid_, 10s, status);
    }
  }
  subscriber_run(const subscriber_run&) = delete;
  subscriber_run& operator=(const subscriber_run&) = delete;

  /// Sends `signal` and waits (bounded) for the end: the exit status, -1 when a signal ended it.
  int stop(int signal, std::chrono::milliseconds limit = 30s) {
    ::kill(pid_, signal);
    return wait(limit);
  }
  int wait(std::chrono::milliseconds limit) {
    int status = 0;
    const bool ended = wait_or_kill(std::exchange(pid_, -1), limit, status);
    BOOST_TEST(ended, "evstore subscribe did not end in time");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
};

/// The ids of a subscriber's output, in order, and each event's stream and sequence.
struct delivered_line {
  std::string id;
  std::string stream;
  std::uint64_t sequence = 0;
};

std::vector<delivered_line> parse_output(const std::string& text) {
  std::vector<delivered_line> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const boost::json::object e = boost::json::parse(line).as_object();
    lines.push_back({std::string(e.at("id").as_string()),
                     std::string(e.at("domain").as_string()) +
                         "::" + std::string(e.at("identifier").as_string()),
                     static_cast<std::uint64_t>(e.at("sequence").to_number<std::int64_t>())});
  }
  return lines;
}

/// Drops a line cut by SIGKILL in the middle of a write (a consumer's own recovery).
void cut_partial_line(const fs::path& out) {
  const std::string text = read_file(out);
  const std::size_t end = text.rfind('\n');
  fs::resize_file(out, end == std::string::npos ? 0 : end + 1);
}

std::string event_line(const std::string& id, const std::string& identifier,
                       const std::optional<timestamp>& created) {
  std::string line = R"({"id":")" + id + R"(","domain":"proc","identifier":")" + identifier +
                     R"(","type":"written","payload":{"n":1})";
  if (created) line += R"(,"created":")" + format_iso8601(*created) + "\"";
  return line + "}\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_subscribe_processes)

BOOST_AUTO_TEST_CASE(restarted_subscribers_deliver_every_committed_event_in_stream_order) {
  cli_fixture f;
  BOOST_TEST_REQUIRE(f.evstore({"init"}).status == 0);
  const fs::path dir = fs::temp_directory_path() / ("evstore-sub-" + f.prefix());
  fs::create_directories(dir);
  struct remove_dir {
    fs::path path;
    ~remove_dir() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{dir};

  fault_proxy proxy{{.upstream_url = dynamodb_url(),
                     .fault_share = 0.15,
                     .kinds = {fault_kind::throttling, fault_kind::internal_error,
                               fault_kind::reset_before_response, fault_kind::stall},
                     .seed = fault_seed(13),
                     .stall_time = 700ms}};
  std::map<std::string, std::string> writer_env = f.environment();
  writer_env["AWS_ENDPOINT_URL_DYNAMODB"] = proxy.url();

  // Writers: each round appends to its streams, to a new stream with `created` 3 s in the past,
  // and to one stamped 1 s before the call.
  std::atomic<bool> writing{true};
  std::atomic<int> appends{0};
  std::mutex slow_mutex;
  std::set<std::string> slow_rounds;  ///< whose events may be beyond the bound
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int round = 0; writing && round < 200; ++round) {
        const std::string tag = std::to_string(w) + "-" + std::to_string(round);
        std::string lines;
        for (int i = 0; i < 4; ++i)
          lines += event_line("e-" + tag + "-" + std::to_string(i),
                              "w" + std::to_string(w) + "-" + std::to_string(i % 2), std::nullopt);
        lines += event_line("late-" + tag, "late-" + tag, now_ms() - 2s);
        lines += event_line("stamped-" + tag, "stamped-" + tag, now_ms() - 1s);
        std::vector<std::string> args{EVSTORE_CLI_PATH, "append"};
        const auto started = std::chrono::steady_clock::now();
        const process_result result = run_process(args, lines, writer_env);
        // The round's events are visible at most 2 s + this long after their `created`: within
        // the bound (late window + horizon - scan interval = 8.5 s) when the append answered in
        // time. Beyond it an event may go unseen, and after a restart its stream skip it
        // (docs/subscriptions.md), so such rounds are not required.
        if (result.status != 0 || std::chrono::steady_clock::now() - started > 5s) {
          const std::lock_guard lock(slow_mutex);
          slow_rounds.insert(tag);
        }
        ++appends;
        std::this_thread::sleep_for(100ms);
      }
    });
  }

  const fs::path term_out = dir / "term.jsonl", term_err = dir / "term.err";
  const fs::path kill_out = dir / "kill.jsonl", kill_err = dir / "kill.err";
  const std::vector<std::string> term_args{"subscribe", "--checkpoint",
                                           (dir / "term.checkpoint").string()};
  const std::vector<std::string> kill_args{"subscribe", "--page-size", "20", "--checkpoint",
                                           (dir / "kill.checkpoint").string()};
  std::mt19937 random(fault_seed(13));
  std::vector<std::size_t> kill_restart_lines;  ///< output lines before each restart
  int term_stops = 0;
  const auto writing_until = std::chrono::steady_clock::now() + 15s;
  while (std::chrono::steady_clock::now() < writing_until) {
    subscriber_run term(term_args, f.environment(), term_out, term_err);
    subscriber_run killed(kill_args, f.environment(), kill_out, kill_err);
    std::this_thread::sleep_for(std::chrono::milliseconds(1200 + random() % 1500));
    BOOST_TEST(term.stop(SIGTERM) == 0);
    ++term_stops;
    BOOST_TEST(killed.stop(SIGKILL) == -1);
    cut_partial_line(kill_out);
    kill_restart_lines.push_back(parse_output(read_file(kill_out)).size());
  }

  // Last runs: writers go on slowly for a while, then an event 12 s behind the sweep (beyond the
  // 10 s window) whose stream's next event is current; then both run until idle.
  writing = false;
  for (std::thread& t : writers) t.join();
  {
    const std::vector<std::string> idle{"--idle-exit", "6"};
    std::vector<std::string> term_last = term_args, kill_last = kill_args;
    term_last.insert(term_last.end(), idle.begin(), idle.end());
    kill_last.insert(kill_last.end(), idle.begin(), idle.end());
    subscriber_run term(term_last, f.environment(), term_out, term_err);
    subscriber_run killed(kill_last, f.environment(), kill_out, kill_err);
    for (int i = 0; i < 7; ++i) {
      BOOST_TEST(
          f.evstore({"append"}, event_line("slow-" + std::to_string(i), "slow", std::nullopt))
              .status == 0);
      std::this_thread::sleep_for(2s);
    }
    const auto appended = f.evstore({"append"}, event_line("beyond-1", "beyond", now_ms() - 12s) +
                                                    event_line("beyond-2", "beyond", std::nullopt));
    BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
    BOOST_TEST(term.wait(60s) == 0);
    BOOST_TEST(killed.wait(60s) == 0);
  }
  BOOST_TEST_MESSAGE("appends " << appends << ", SIGTERM stops " << term_stops
                                << ", proxy: " << proxy.counts().summary());
  BOOST_TEST(proxy.counts().faults() > 0u);

  std::set<std::string> committed;
  std::set<std::string> maybe_beyond;  ///< events of slow rounds: may be missed
  std::map<std::string, std::map<std::uint64_t, std::string>> stream_ids;  ///< sequence -> id
  for (const auto& e : f.evstore_replay()) {
    const std::string id(e.at("id").as_string());
    const std::string stream = std::string(e.at("domain").as_string()) +
                               "::" + std::string(e.at("identifier").as_string());
    stream_ids[stream][static_cast<std::uint64_t>(e.at("sequence").to_number<std::int64_t>())] = id;
    // e-<writer>-<round>-<i>, late-<writer>-<round>, stamped-<writer>-<round>
    const std::size_t dash = id.find('-');
    std::string tag = dash == std::string::npos ? "" : id.substr(dash + 1);
    if (id.starts_with("e-")) tag = tag.substr(0, tag.rfind('-'));
    if (slow_rounds.contains(tag))
      maybe_beyond.insert(id);
    else
      committed.insert(id);
  }
  BOOST_TEST(committed.contains("beyond-1"));

  // SIGTERM'ed: every committed event once, each stream in order from its first event.
  const std::vector<delivered_line> term_lines = parse_output(read_file(term_out));
  std::set<std::string> term_ids;
  std::map<std::string, std::uint64_t> last_sequence;
  for (const delivered_line& line : term_lines) {
    BOOST_TEST(term_ids.insert(line.id).second, "delivered twice: " << line.id);
    // In order; a skip only over events that may be beyond the bound.
    BOOST_TEST(line.sequence > last_sequence[line.stream],
               line.stream << " #" << line.sequence << " after #" << last_sequence[line.stream]);
    for (std::uint64_t skipped = last_sequence[line.stream] + 1; skipped < line.sequence; ++skipped)
      BOOST_TEST(maybe_beyond.contains(stream_ids[line.stream][skipped]),
                 line.stream << " #" << line.sequence << " skipped #" << skipped);
    last_sequence[line.stream] = line.sequence;
  }
  for (const std::string& id : maybe_beyond) term_ids.erase(id);
  BOOST_TEST(term_ids == committed, difference(committed, term_ids));
  BOOST_TEST(read_file(term_err).find("late window") != std::string::npos, read_file(term_err));

  // SIGKILL'ed: nothing lost; a repeat only of what the run before wrote in its last page.
  const std::vector<delivered_line> kill_lines = parse_output(read_file(kill_out));
  std::set<std::string> kill_ids;
  std::size_t run = 0;
  for (std::size_t i = 0; i < kill_lines.size(); ++i) {
    while (run < kill_restart_lines.size() && i >= kill_restart_lines[run]) ++run;
    if (kill_ids.insert(kill_lines[i].id).second) continue;
    BOOST_TEST_REQUIRE(run > 0u, "a repeat before any restart: " << kill_lines[i].id);
    const std::size_t restart = kill_restart_lines[run - 1];
    bool in_last_page = false;
    for (std::size_t j = restart > 100 ? restart - 100 : 0; j < restart; ++j)
      in_last_page = in_last_page || kill_lines[j].id == kill_lines[i].id;
    BOOST_TEST(in_last_page, "repeated beyond the last page: " << kill_lines[i].id);
  }
  for (const std::string& id : maybe_beyond) kill_ids.erase(id);
  BOOST_TEST(kill_ids == committed, difference(committed, kill_ids));
  BOOST_TEST_MESSAGE(maybe_beyond.size() << " events of appends slower than 5 s (or failed) "
                                            "were not required");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
