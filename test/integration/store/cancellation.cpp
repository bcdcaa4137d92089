// Cancellation as a contract: appends and atomic appends cancelled at random points (also while a
// transaction, or its read-back, is stalled in flight) end with operation_aborted and report
// exactly what is stored; replays destroyed or cancelled mid-way stop their read-ahead at once;
// a subscription cancelled mid-poll resumes from its checkpoint without losing an event;
// repo::close() ends background work and refuses later calls.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "faults_setup.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(cancellation)

using namespace evstore;
using evstore::test::fault_kind;
using evstore::test::fault_settings;
using evstore::test::faulted_store;
using evstore::test::make_event;
using evstore::test::store_fixture;
namespace asio = boost::asio;
namespace chr = std::chrono;
using steady = chr::steady_clock;

/// How one cancelled call ended.
struct call_outcome {
  std::string domain;
  std::vector<std::string> identifiers;
  bool completed = false;
  bool aborted = false;
  bool in_doubt = false;
  std::string error;                ///< what() of anything but a completion
  std::vector<std::string> stored;  ///< ids returned, or reported written
  std::vector<event> resend;
};

/// Runs `operation` on `io` and emits terminal cancellation at `delay` after its start (unless it
/// finished first); returns how it ended. Bounded by the fixture's run limit.
call_outcome run_cancelled(store_fixture& f, asio::awaitable<std::vector<event>> operation,
                           chr::microseconds delay) {
  call_outcome outcome;
  asio::cancellation_signal signal;
  bool finished = false;
  asio::co_spawn(f.io, std::move(operation),
                 asio::bind_cancellation_slot(
                     signal.slot(), [&](std::exception_ptr error, std::vector<event> events) {
                       finished = true;
                       if (!error) {
                         outcome.completed = true;
                         for (const event& e : events) outcome.stored.push_back(e.id);
                         return;
                       }
                       try {
                         std::rethrow_exception(error);
                       } catch (const append_error& failure) {
                         outcome.error = failure.what();
                         outcome.aborted = failure.code() == asio::error::operation_aborted;
                         outcome.in_doubt = failure.in_doubt();
                         for (const event& e : failure.written_events())
                           outcome.stored.push_back(e.id);
                         outcome.resend = failure.resend_events();
                       } catch (const std::exception& other) {
                         outcome.error = other.what();
                       }
                     }));
  f.run([&]() -> asio::awaitable<void> {
    asio::steady_timer timer{co_await asio::this_coro::executor, delay};
    co_await timer.async_wait(asio::use_awaitable);
    if (!finished) signal.emit(asio::cancellation_type::terminal);
    for (int k = 0; k < 30000 && !finished; ++k) {
      timer.expires_after(chr::milliseconds(1));
      co_await timer.async_wait(asio::use_awaitable);
    }
  }());
  BOOST_TEST_REQUIRE(finished);
  return outcome;
}

/// Ids stored in the stream, in sequence order; checks the sequences are 1..n.
std::vector<std::string> stream_ids(store_fixture& f, const std::string& domain,
                                    const std::string& identifier) {
  const std::vector<event> stored = f.run(f.store.stream_events(domain, identifier, {}));
  std::vector<std::string> ids;
  for (std::size_t k = 0; k < stored.size(); ++k) {
    BOOST_TEST(stored[k].sequence == k + 1);
    ids.push_back(stored[k].id);
  }
  return ids;
}

/// What each kind of end promises, checked against the table: an aborted call not in doubt
/// stored exactly what it reports (nothing of it when it reports nothing); one in doubt is
/// settled by appending its resend_events() (then every event is stored once); a completed one
/// is stored once.
void check_outcome(store_fixture& f, const call_outcome& outcome,
                   const std::function<void(const std::vector<event>&)>& resend) {
  BOOST_TEST_CONTEXT(outcome.error) {
    BOOST_TEST((outcome.completed || outcome.aborted));
    std::vector<std::string> in_table;
    for (const std::string& identifier : outcome.identifiers)
      for (std::string& id : stream_ids(f, outcome.domain, identifier))
        in_table.push_back(std::move(id));
    std::sort(in_table.begin(), in_table.end());
    std::vector<std::string> reported = outcome.stored;
    std::sort(reported.begin(), reported.end());
    if (outcome.completed || !outcome.in_doubt) {
      BOOST_TEST(in_table == reported, boost::test_tools::per_element());
    } else {
      BOOST_TEST(std::includes(in_table.begin(), in_table.end(), reported.begin(), reported.end()));
    }
    if (!outcome.aborted) return;
    std::vector<std::string> all;
    for (const event& e : outcome.resend) all.push_back(e.id);
    resend(outcome.resend);
    std::vector<std::string> settled;
    for (const std::string& identifier : outcome.identifiers)
      for (std::string& id : stream_ids(f, outcome.domain, identifier))
        settled.push_back(std::move(id));
    std::sort(settled.begin(), settled.end());
    std::sort(all.begin(), all.end());
    BOOST_TEST(settled == all, boost::test_tools::per_element());
    for (const std::string& id : all) BOOST_TEST(evstore::test::copies_of(f, id) == 1u, id);
  }
}

std::vector<event> ledger_events(const std::string& identifier, std::size_t count,
                                 std::size_t pad) {
  std::vector<event> events;
  for (std::size_t i = 0; i < count; ++i)
    events.push_back(
        make_event("ledger", identifier, "entry",
                   R"({"i":)" + std::to_string(i) + R"(,"pad":")" + std::string(pad, 'x') + "\"}"));
  return events;
}

atomic_append transfer(const std::string& from, const std::string& to) {
  atomic_append request;
  request.writes.push_back({"account",
                            from,
                            stream_expectation::none(),
                            {make_event("account", from, "debited", R"({"amount":5})")}});
  request.writes.push_back({"account",
                            to,
                            stream_expectation::none(),
                            {make_event("account", to, "credited", R"({"amount":5})")}});
  return request;
}

BOOST_AUTO_TEST_CASE(appends_cancelled_at_random_points_report_what_is_stored) {
  store_fixture f("cancel-random", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::mt19937_64 random(20261205);
  // Shapes: one transaction, two, and three (100 actions each), and an atomic append of two
  // streams. Each is timed uncancelled (the second time: the first opens connections);
  // cancellations are spread over 0..120% of that.
  const std::vector<std::size_t> sizes{1, 40, 150, 250};
  std::vector<chr::microseconds> duration(sizes.size() + 1);
  for (int pass = 0; pass < 2; ++pass) {
    const std::string prefix = "time-" + std::to_string(pass) + "-";
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const auto start = steady::now();
      f.run(f.store.append(ledger_events(prefix + std::to_string(s), sizes[s], 40)));
      duration[s] = chr::duration_cast<chr::microseconds>(steady::now() - start);
    }
    const auto start = steady::now();
    f.run(f.store.append_atomic(transfer(prefix + "a", prefix + "b")));
    duration[sizes.size()] = chr::duration_cast<chr::microseconds>(steady::now() - start);
  }
  std::map<std::string, int> ends;
  for (int round = 0; round < 100; ++round) {
    const std::size_t shape = random() % (sizes.size() + 1);
    const chr::microseconds delay{
        static_cast<std::int64_t>(random() % (duration[shape].count() * 6 / 5 + 1))};
    const std::string id = "r" + std::to_string(round);
    call_outcome outcome;
    if (shape < sizes.size()) {
      outcome = run_cancelled(f, f.store.append(ledger_events(id, sizes[shape], 40)), delay);
      outcome.domain = "ledger";
      outcome.identifiers = {id};
    } else {
      outcome = run_cancelled(f, f.store.append_atomic(transfer(id + "-a", id + "-b")), delay);
      outcome.domain = "account";
      outcome.identifiers = {id + "-a", id + "-b"};
    }
    ++ends[outcome.completed  ? "completed"
           : !outcome.aborted ? "other"
           : outcome.in_doubt ? "aborted in doubt"
                              : "aborted"];
    BOOST_TEST_CONTEXT("round " << round << ", shape " << shape << ", delay " << delay.count()
                                << " us") {
      check_outcome(f, outcome, [&](const std::vector<event>& events) {
        if (shape < sizes.size()) {
          f.run(f.store.append(events));
        } else {
          atomic_append again = transfer(id + "-a", id + "-b");
          again.writes[0].events = {events.at(0)};
          again.writes[1].events = {events.at(1)};
          f.run(f.store.append_atomic(std::move(again)));
        }
      });
    }
  }
  for (const auto& [end, count] : ends) BOOST_TEST_MESSAGE(end << ": " << count);
  // The spread of delays reaches both ends (how many land before a transaction is sent depends
  // on the machine's speed: the case of append_races cancels before any request).
  BOOST_TEST(ends["completed"] > 0);
  BOOST_TEST(ends["aborted"] + ends["aborted in doubt"] > 0);
  BOOST_TEST(ends["other"] == 0);
}

BOOST_AUTO_TEST_CASE(cancelled_while_a_transaction_or_its_read_back_is_stalled) {
  store_fixture f("cancel-stall", {.skip_bucket_creation = true});
  f.run(f.store.init());
  // Every request through the proxy stalls past the request timeout (the server applies it);
  // one attempt each: a stalled transaction is read back (stalled too), so cancellations land
  // while the transaction or the read-back is in flight.
  fault_settings settings{.share = 0.0,
                          .seed = evstore::test::fault_seed(5),
                          .request_timeout = chr::milliseconds(300),
                          .stall_time = chr::milliseconds(450),
                          .max_attempts = 1,
                          .dynamodb_kinds = {fault_kind::stall}};
  faulted_store faulted(f, settings);
  // Before the stalls: the metadata item covers the month, the heads are known.
  f.run(faulted.store.append(ledger_events("warm", 1, 0)));
  faulted.dynamodb_proxy.set_fault_share(1.0);
  std::mt19937_64 random(7);
  std::map<std::string, int> ends;
  for (int round = 0; round < 12; ++round) {
    const std::string id = "s" + std::to_string(round);
    // New streams (expected 0): the transaction is the first request. It stalls until the
    // timeout (300 ms), then its read-back does (300 ms more).
    const chr::microseconds delay{static_cast<std::int64_t>(50'000 + random() % 550'000)};
    append_options expect_new;
    expect_new.expected_sequence = 0;
    const std::size_t count = round % 2 ? 1 : 120;
    call_outcome outcome =
        run_cancelled(f, faulted.store.append(ledger_events(id, count, 10), expect_new), delay);
    outcome.domain = "ledger";
    outcome.identifiers = {id};
    ++ends[outcome.completed  ? "completed"
           : !outcome.aborted ? "other"
           : outcome.in_doubt ? "aborted in doubt"
                              : "aborted"];
    BOOST_TEST_CONTEXT("round " << round << ", delay " << delay.count() << " us") {
      BOOST_TEST(outcome.aborted);
      check_outcome(f, outcome,
                    [&](const std::vector<event>& events) { f.run(f.store.append(events)); });
    }
  }
  for (const auto& [end, count] : ends) BOOST_TEST_MESSAGE(end << ": " << count);
  BOOST_TEST(ends["aborted in doubt"] > 0);
  BOOST_TEST(faulted.dynamodb_proxy.count(fault_kind::stall) > 0u);
}

/// Events over six months, every fifth offloaded (5,000-byte threshold), two streams a month.
std::vector<event> months_of_events() {
  std::vector<event> events;
  for (int month = 1; month <= 6; ++month) {
    for (int i = 0; i < 40; ++i) {
      event e = make_event(
          "doc", "m" + std::to_string(month) + "-" + std::to_string(i % 2), "put",
          i % 5 == 0 ? "\"" + std::string(6000, 'p') + "\"" : R"({"i":)" + std::to_string(i) + "}");
      e.created = evstore::test::utc("2022-0" + std::to_string(month) + "-03T10:00:00.000Z") +
                  chr::milliseconds(i);
      events.push_back(std::move(e));
    }
  }
  return events;
}

/// Requests the proxies received so far.
std::size_t proxied_requests(const faulted_store& faulted) {
  return faulted.dynamodb_proxy.counts().requests + faulted.s3_proxy.counts().requests;
}

BOOST_AUTO_TEST_CASE(replays_destroyed_or_cancelled_midway_stop_their_requests) {
  store_fixture f("cancel-replay", {.offload_threshold_bytes = 5000});
  f.run(f.store.init());
  f.run(f.store.append(months_of_events()));
  // Two connections a service: most read-ahead requests wait for one in the pool, and are
  // never sent once the replay is gone. At most these four can be on their way.
  fault_settings settings{.share = 0.0};
  faulted_store faulted(f, settings);
  constexpr std::size_t connections = 2;
  std::mt19937_64 random(11);
  const replay_options read_ahead{.page_size = 5,
                                  .parallel_buckets = 4,
                                  .month_slices = 8,
                                  .prefetch_pages = 4,
                                  .max_concurrent_payload_reads = 8};
  repo_options narrow = f.options;
  narrow.max_connections = connections;
  narrow.skip_table_creation = true;
  aws::config through_proxies = evstore::test::local_config();
  through_proxies.service_endpoint_urls["dynamodb"] = faulted.dynamodb_proxy.url();
  through_proxies.service_endpoint_urls["s3"] = faulted.s3_proxy.url();
  int aborted_next = 0;
  for (int round = 0; round < 40; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      repo store(f.io.get_executor(), through_proxies, narrow);
      const bool cancel_next = round % 2 == 1;
      const chr::microseconds delay{static_cast<std::int64_t>(random() % 60'000)};
      const int pages_first = static_cast<int>(random() % 4);
      bool finished = false;
      std::exception_ptr failure;
      std::size_t sent_at_end = 0;
      asio::cancellation_signal signal;
      // Reads some pages, then either waits in next() until cancelled, or is destroyed (its
      // replay with it) after `delay`.
      auto reader = [&]() -> asio::awaitable<void> {
        replay cursor = store.all_events(read_ahead);
        for (int k = 0; k < pages_first; ++k) co_await cursor.next();
        if (cancel_next) {
          for (int k = 0; k < 1000; ++k)
            if (!co_await cursor.next()) break;
        } else {
          asio::steady_timer timer{co_await asio::this_coro::executor, delay};
          co_await timer.async_wait(asio::use_awaitable);
        }
      };
      asio::co_spawn(f.io, reader(),
                     asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                       // The replay is destroyed by now.
                       failure = e;
                       finished = true;
                       sent_at_end = proxied_requests(faulted);
                     }));
      const auto start = steady::now();
      f.io.restart();
      if (cancel_next) {
        f.run([&]() -> asio::awaitable<void> {
          asio::steady_timer timer{co_await asio::this_coro::executor, delay};
          co_await timer.async_wait(asio::use_awaitable);
          signal.emit(asio::cancellation_type::terminal);
        }());
      }
      // Once the reader is gone, nothing of it keeps the io_context busy for long.
      f.io.run_for(chr::seconds(10));
      BOOST_TEST_REQUIRE(finished);
      BOOST_TEST(f.io.stopped());
      BOOST_TEST((steady::now() - start < chr::seconds(5)));
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const boost::system::system_error& error) {
          BOOST_TEST((error.code() == asio::error::operation_aborted), error.what());
          ++aborted_next;
        }
      }
      // What was on its way when the replay went may still arrive; nothing else.
      BOOST_TEST(proxied_requests(faulted) <= sent_at_end + 2 * connections);
    }
  }
  BOOST_TEST(aborted_next > 0);
}

BOOST_AUTO_TEST_CASE(a_subscription_cancelled_midway_resumes_from_its_checkpoint) {
  store_fixture f("cancel-subscribe", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<std::string> appended;
  for (int k = 0; k < 6; ++k)
    for (const event& e : f.run(f.store.append(ledger_events("sub-" + std::to_string(k), 50, 0))))
      appended.push_back(e.id);
  std::mt19937_64 random(3);
  const subscription_options options{.horizon = chr::milliseconds(0),
                                     .poll_interval = chr::milliseconds(20),
                                     .late_window = chr::milliseconds(2000),
                                     .late_scan_interval = chr::milliseconds(0),
                                     .page_size = 20,
                                     .idle_limit = chr::milliseconds(300)};
  for (int round = 0; round < 10; ++round) {
    BOOST_TEST_CONTEXT("round " << round) {
      std::multiset<std::string> delivered;
      std::string checkpoint;
      int cancellations = 0;
      for (int part = 0; part < 300; ++part) {
        subscription_options resumed = options;
        if (!checkpoint.empty()) resumed.checkpoint = checkpoint;
        subscription follower = f.store.subscribe(resumed);
        asio::cancellation_signal signal;
        bool finished = false;
        bool idle = false;
        std::exception_ptr failure;
        auto follow = [&]() -> asio::awaitable<void> {
          for (;;) {
            std::optional<subscription_page> page = co_await follower.next();
            if (!page) {
              idle = true;
              co_return;
            }
            for (const event& e : page->events) delivered.insert(e.id);
          }
        };
        asio::co_spawn(f.io, follow(),
                       asio::bind_cancellation_slot(signal.slot(), [&](std::exception_ptr e) {
                         failure = e;
                         finished = true;
                       }));
        // Later parts run longer, so that the rounds end however slow the machine is.
        const chr::microseconds delay{static_cast<std::int64_t>(random() % 40'000) + part * 2'000};
        f.run([&]() -> asio::awaitable<void> {
          asio::steady_timer timer{co_await asio::this_coro::executor, delay};
          co_await timer.async_wait(asio::use_awaitable);
          if (!finished) signal.emit(asio::cancellation_type::terminal);
          for (int k = 0; k < 10000 && !finished; ++k) {
            timer.expires_after(chr::milliseconds(1));
            co_await timer.async_wait(asio::use_awaitable);
          }
        }());
        BOOST_TEST_REQUIRE(finished);
        if (failure) {
          ++cancellations;
          try {
            std::rethrow_exception(failure);
          } catch (const boost::system::system_error& error) {
            BOOST_TEST((error.code() == asio::error::operation_aborted), error.what());
          }
          // A cancelled subscription stays failed.
          BOOST_CHECK_THROW(f.run(follower.next()), boost::system::system_error);
        }
        checkpoint = follower.checkpoint();
        if (idle) break;
      }
      BOOST_TEST(cancellations > 0);
      // Every event once: none lost to a cancelled poll, none repeated.
      for (const std::string& id : appended) BOOST_TEST(delivered.count(id) == 1u, id);
      BOOST_TEST(delivered.size() == appended.size());
    }
  }
}

BOOST_AUTO_TEST_CASE(close_ends_background_work_and_refuses_later_calls) {
  store_fixture f("cancel-close", {.offload_threshold_bytes = 5000});
  f.run(f.store.init());
  f.run(f.store.append(months_of_events()));
  repo_options options = f.options;
  options.skip_table_creation = true;
  repo store(f.io.get_executor(), evstore::test::local_config(), options);
  replay cursor = store.all_events({.page_size = 5, .prefetch_pages = 4});
  subscription follower = store.subscribe({.poll_interval = chr::milliseconds(5'000)});
  f.run([&]() -> asio::awaitable<void> {
    BOOST_TEST((co_await cursor.next()).has_value());
    co_await follower.next();  // returns the first page; its next poll waits 5 s
  }());
  store.close();
  // The replay's read-ahead ends at once; no idle connection or timer keeps run() going.
  const auto start = steady::now();
  f.io.restart();
  f.io.run_for(chr::seconds(10));
  BOOST_TEST(f.io.stopped());
  BOOST_TEST((steady::now() - start < chr::seconds(2)));
  const auto refused = [](const boost::system::system_error& error) {
    return error.code() == asio::error::shut_down &&
           std::string(error.what()).find("repo::close()") != std::string::npos;
  };
  BOOST_CHECK_EXCEPTION(f.run(cursor.next()), boost::system::system_error, refused);
  BOOST_CHECK_EXCEPTION(f.run(follower.next()), boost::system::system_error, refused);
  BOOST_CHECK_EXCEPTION(f.run(store.append(ledger_events("closed", 1, 0))),
                        boost::system::system_error, refused);
  BOOST_CHECK_EXCEPTION(f.run(store.stream_sequence("ledger", "closed")),
                        boost::system::system_error, refused);
  BOOST_CHECK_EXCEPTION(f.run(store.event_months()), boost::system::system_error, refused);
  store.close();  // idempotent
  // Other repos on the same io_context are not affected.
  BOOST_TEST(f.run(f.store.stream_sequence("ledger", "closed")) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
