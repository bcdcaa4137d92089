// The executor model for an io_context run by several threads: a repo given a strand, appends
// and stream reads started from callbacks on the io_context's other threads, all correct.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "integration/store/store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(strand_threads)

namespace asio = boost::asio;
using namespace evstore;
using evstore::test::local_config;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

constexpr int thread_count = 4;
constexpr int stream_count = 8;
constexpr std::uint64_t appends_per_stream = 8;

// Each stream is a chain: append one event expecting the stream's version, then read the
// stream back, then the next append; every step is started from a callback posted to the
// io_context (any of its threads), not from the strand.
class stream_chains {
 public:
  stream_chains(asio::io_context& io, asio::any_io_executor strand, repo& store)
      : io_(io), strand_(std::move(strand)), store_(store) {
    for (int s = 0; s < stream_count; ++s) identifiers_.push_back("stream-" + std::to_string(s));
  }

  void start() {
    for (int s = 0; s < stream_count; ++s) asio::post(io_, [this, s] { append(s, 0); });
  }

  // Set once every chain ended (or one failed).
  std::promise<void> finished;
  std::atomic<int> appends_done{0};
  std::atomic<int> reads_checked{0};

  std::set<std::thread::id> threads_seen() {
    const std::lock_guard lock(mutex_);
    return threads_;
  }
  std::vector<std::string> failures() {
    const std::lock_guard lock(mutex_);
    return failures_;
  }

 private:
  void note_thread() {
    const std::lock_guard lock(mutex_);
    threads_.insert(std::this_thread::get_id());
  }

  void fail(std::string what) {
    {
      const std::lock_guard lock(mutex_);
      failures_.push_back(std::move(what));
    }
    end_chain();
  }

  void end_chain() {
    if (++chains_ended_ == stream_count) finished.set_value();
  }

  void append(int s, std::uint64_t version) {
    note_thread();
    std::vector<event> events{make_event("strand", identifiers_[s], "step")};
    append_options options;
    options.expected_sequence = version;
    asio::co_spawn(strand_, store_.append(std::move(events), options),
                   [this, s, version](std::exception_ptr error, std::vector<event> stored) {
                     if (error) return fail(identifiers_[s] + ": append failed");
                     if (stored.size() != 1 || stored[0].sequence != version + 1)
                       return fail(identifiers_[s] + ": wrong sequence");
                     ++appends_done;
                     asio::post(io_, [this, s, version] { read(s, version + 1); });
                   });
  }

  void read(int s, std::uint64_t version) {
    note_thread();
    asio::co_spawn(strand_, store_.stream_events("strand", identifiers_[s], stream_read_options{}),
                   [this, s, version](std::exception_ptr error, std::vector<event> events) {
                     if (error) return fail(identifiers_[s] + ": read failed");
                     if (events.size() != version || events.back().sequence != version)
                       return fail(identifiers_[s] + ": read a wrong stream");
                     ++reads_checked;
                     if (version == appends_per_stream) return end_chain();
                     asio::post(io_, [this, s, version] { append(s, version); });
                   });
  }

  asio::io_context& io_;
  asio::any_io_executor strand_;
  repo& store_;
  std::vector<std::string> identifiers_;
  std::atomic<int> chains_ended_{0};
  std::mutex mutex_;
  std::set<std::thread::id> threads_;
  std::vector<std::string> failures_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_repo_on_a_strand_serves_callbacks_from_four_threads) {
  store_fixture f("strand-threads");
  const asio::any_io_executor strand = asio::make_strand(f.io);
  repo store(strand, local_config(), f.options);
  stream_chains chains(f.io, strand, store);
  std::future<void> finished = chains.finished.get_future();

  auto work = asio::make_work_guard(f.io);
  std::future<void> initialised = asio::co_spawn(strand, store.init(), asio::use_future);
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t)
    threads.emplace_back([&f] { f.io.run_for(std::chrono::seconds(150)); });
  const bool ready = initialised.wait_for(std::chrono::seconds(60)) == std::future_status::ready;
  if (ready) {
    initialised.get();
    chains.start();
  }
  const bool done =
      ready && finished.wait_for(std::chrono::seconds(120)) == std::future_status::ready;
  f.io.stop();
  for (std::thread& thread : threads) thread.join();
  f.io.restart();

  BOOST_TEST_REQUIRE(ready, "init did not finish in time");
  BOOST_TEST_REQUIRE(done, "the appends and reads did not finish in time");
  for (const std::string& failure : chains.failures()) BOOST_ERROR(failure);
  BOOST_TEST(chains.appends_done == stream_count * static_cast<int>(appends_per_stream));
  BOOST_TEST(chains.reads_checked == stream_count * static_cast<int>(appends_per_stream));
  BOOST_TEST(chains.threads_seen().size() > 1u);
  // Everything stored once, in each stream's order.
  const std::vector<event> all = f.replay_all(replay_options{});
  BOOST_TEST(all.size() == stream_count * appends_per_stream);
}

BOOST_AUTO_TEST_SUITE_END()
