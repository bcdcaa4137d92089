// The completion-token forms of repo, replay and subscription: every operation with a callback,
// use_future (the io_context on another thread), use_awaitable, deferred and as_tuple; failures
// as error codes with diagnostics, never an exception reaching the caller.

#include <chrono>
#include <future>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"
#include "support/run_until.hpp"

BOOST_AUTO_TEST_SUITE(async_forms)

using namespace evstore;
using namespace evstore::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using boost::system::error_code;
using evstore::test::run_until;

/// The result of one callback: its code and value, once it ran.
template <class T>
struct outcome {
  std::optional<std::pair<error_code, T>> result;
  auto handler() {
    return [this](error_code code, T value) { result.emplace(code, std::move(value)); };
  }
  bool done() const { return result.has_value(); }
};

/// The io_context run by a thread of its own while the test calls the repo from the main thread
/// with use_future.
struct background_runner {
  explicit background_runner(asio::io_context& context)
      : io(context), work(context.get_executor()), thread([&context] { context.run(); }) {}
  ~background_runner() {
    work.reset();
    io.stop();  // pooled keep-alive connections would keep run() going
    thread.join();
    io.restart();
  }
  asio::io_context& io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  std::thread thread;
};

template <class T>
T get_within(std::future<T>& future, std::chrono::seconds limit = 60s) {
  BOOST_TEST_REQUIRE((future.wait_for(limit) == std::future_status::ready),
                     "the operation did not complete in time");
  return future.get();
}

std::vector<event> events_of(const std::string& identifier, int count,
                             const std::string& type = "Opened") {
  std::vector<event> events;
  for (int i = 0; i < count; ++i) events.push_back(make_event("account", identifier, type));
  return events;
}

BOOST_AUTO_TEST_CASE(append_replay_and_subscription_complete_callbacks) {
  store_fixture f("async-callbacks");
  BOOST_TEST((f.store.get_executor() == asio::any_io_executor(f.io.get_executor())));

  std::optional<error_code> initialised;
  f.store.async_init([&](error_code code) { initialised = code; });
  run_until(
      f.io, [&] { return initialised.has_value(); }, 120s);
  BOOST_TEST_REQUIRE(!*initialised);

  outcome<std::vector<event>> appended;
  f.store.async_append(events_of("1", 3), appended.handler());
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST_REQUIRE(!appended.result->first);
  BOOST_TEST(appended.result->second.size() == 3u);
  BOOST_TEST(appended.result->second.back().sequence == 3u);

  replay cursor = f.store.all_events();
  BOOST_TEST((cursor.get_executor() == f.store.get_executor()));
  outcome<std::optional<std::vector<event>>> page;
  cursor.async_next(page.handler());
  run_until(f.io, [&] { return page.done(); });
  BOOST_TEST_REQUIRE(!page.result->first);
  BOOST_TEST_REQUIRE(page.result->second.has_value());
  BOOST_TEST(page.result->second->size() == 3u);
  outcome<std::optional<std::vector<event>>> end;
  cursor.async_next(end.handler());
  run_until(f.io, [&] { return end.done(); });
  BOOST_TEST(!end.result->first);
  BOOST_TEST(!end.result->second.has_value());

  subscription_options from_start;
  from_start.idle_limit = 2000ms;
  subscription log = f.store.subscribe(from_start);
  outcome<std::optional<subscription_page>> delivered;
  log.async_next(delivered.handler());
  run_until(f.io, [&] { return delivered.done(); });
  BOOST_TEST_REQUIRE(!delivered.result->first);
  BOOST_TEST_REQUIRE(delivered.result->second.has_value());
  BOOST_TEST(delivered.result->second->events.size() == 3u);
  BOOST_TEST(!delivered.result->second->checkpoint.empty());
}

BOOST_AUTO_TEST_CASE(every_repo_operation_completes_a_future_with_io_on_another_thread) {
  store_fixture f("async-futures");
  background_runner runner(f.io);

  auto initialised = f.store.async_init(asio::use_future);
  get_within(initialised, 120s);

  std::vector<event> first = events_of("7", 2);
  first[0].id = "async-futures-cause";
  auto appended = f.store.async_append(first, asio::use_future);
  const std::vector<event> stored = get_within(appended);
  BOOST_TEST_REQUIRE(stored.size() == 2u);

  append_options at_two;
  at_two.expected_sequence = 2;
  std::vector<event> caused = events_of("7", 1, "Deposited");
  caused[0].causation_id = "async-futures-cause";
  auto appended_again = f.store.async_append(caused, at_two, asio::use_future);
  BOOST_TEST(get_within(appended_again).front().sequence == 3u);

  atomic_append request;
  request.writes.push_back({"account", "8", stream_expectation::none(), events_of("8", 1)});
  request.checks.push_back({"account", "7", stream_expectation::exactly(3)});
  auto atomically = f.store.async_append_atomic(request, asio::use_future);
  BOOST_TEST(get_within(atomically).size() == 1u);

  auto sequence = f.store.async_stream_sequence("account", "7", asio::use_future);
  BOOST_TEST(get_within(sequence) == 3u);

  auto all_of_stream = f.store.async_stream_events("account", "7", asio::use_future);
  BOOST_TEST(get_within(all_of_stream).size() == 3u);
  stream_read_options after_two;
  after_two.after_sequence = 2;
  auto rest_of_stream = f.store.async_stream_events("account", "7", after_two, asio::use_future);
  BOOST_TEST(get_within(rest_of_stream).size() == 1u);

  snapshot state;
  state.domain = "account";
  state.identifier = "7";
  state.sequence = 3;
  state.state_json = R"({"balance":3})";
  auto saved = f.store.async_save_snapshot(state, asio::use_future);
  BOOST_TEST(get_within(saved));
  auto loaded = f.store.async_get_snapshot("account", "7", asio::use_future);
  const std::optional<snapshot> found = get_within(loaded);
  BOOST_TEST_REQUIRE(found.has_value());
  BOOST_TEST(found->sequence == 3u);

  auto months = f.store.async_event_months(asio::use_future);
  BOOST_TEST(get_within(months).has_value());

  auto migrated = f.store.async_migrate(asio::use_future);
  BOOST_TEST(get_within(migrated).items_updated == 0u);

  auto by_id = f.store.async_get_event_by_id("async-futures-cause", asio::use_future);
  BOOST_TEST(get_within(by_id).has_value());
  auto effects = f.store.async_find_by_causation_id("async-futures-cause", asio::use_future);
  BOOST_TEST(get_within(effects).size() == 1u);

  replay cursor = f.store.all_events();
  auto page = cursor.async_next(asio::use_future);
  const std::optional<std::vector<event>> events = get_within(page);
  BOOST_TEST_REQUIRE(events.has_value());
  BOOST_TEST(events->size() == 4u);

  subscription_options from_start;
  from_start.idle_limit = 2000ms;
  subscription log = f.store.subscribe(from_start);
  // Events within the sweep's horizon of now come in a later page.
  std::size_t subscribed = 0;
  for (int pages = 0; pages < 10 && subscribed < 4; ++pages) {
    auto delivered = log.async_next(asio::use_future);
    const std::optional<subscription_page> next_page = get_within(delivered);
    if (!next_page) break;
    subscribed += next_page->events.size();
  }
  BOOST_TEST(subscribed == 4u);

  auto reset = f.store.async_reset_store(asio::use_future);
  get_within(reset, 120s);
  auto after_reset = f.store.async_stream_sequence("account", "7", asio::use_future);
  BOOST_TEST(get_within(after_reset) == 0u);
}

BOOST_AUTO_TEST_CASE(use_awaitable_deferred_and_as_tuple_complete_alike) {
  store_fixture f("async-tokens");
  f.run(f.store.async_init(asio::use_awaitable), 120s);
  f.run([&]() -> asio::awaitable<void> {
    const std::vector<event> written =
        co_await f.store.async_append(events_of("2", 2), asio::use_awaitable);
    BOOST_TEST(written.size() == 2u);

    // deferred: nothing runs until the operation is awaited (or launched with a handler).
    auto count = f.store.async_stream_sequence("account", "2", asio::deferred);
    BOOST_TEST(co_await std::move(count)(asio::use_awaitable) == 2u);

    append_options stale;
    stale.expected_sequence = 0;
    auto [code, none] = co_await f.store.async_append(events_of("2", 1), stale,
                                                      asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(code == error_code(store_errc::concurrency_conflict));
    BOOST_TEST(none.empty());

    // The use_awaitable form of a failure throws system_error with the code.
    std::optional<error_code> thrown;
    try {
      co_await f.store.async_append(events_of("2", 1), stale, asio::use_awaitable);
    } catch (const boost::system::system_error& error) {
      thrown = error.code();
    }
    BOOST_TEST((thrown == error_code(store_errc::concurrency_conflict)));

    replay cursor = f.store.all_events();
    auto deferred_page = cursor.async_next(asio::deferred);
    const std::optional<std::vector<event>> page =
        co_await std::move(deferred_page)(asio::use_awaitable);
    BOOST_TEST_REQUIRE(page.has_value());
    BOOST_TEST(page->size() == 2u);
    auto [end_code, end] = co_await cursor.async_next(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!end_code);
    BOOST_TEST(!end.has_value());

    subscription_options from_start;
    from_start.idle_limit = 2000ms;
    subscription log = f.store.subscribe(from_start);
    auto [page_code, delivered] = co_await log.async_next(asio::as_tuple(asio::use_awaitable));
    BOOST_TEST(!page_code);
    BOOST_TEST_REQUIRE(delivered.has_value());
    BOOST_TEST(delivered->events.size() == 2u);
    auto deferred_next = log.async_next(asio::deferred);
    const std::optional<subscription_page> idle =
        co_await std::move(deferred_next)(asio::use_awaitable);
    BOOST_TEST(!idle.has_value());  // idle_limit passed without an event
  }());
}

BOOST_AUTO_TEST_CASE(a_version_conflict_fills_diagnostics_without_an_exception) {
  store_fixture f("async-conflict");
  f.run(f.store.init(), 120s);
  f.run(f.store.append(events_of("3", 2)));

  append_options stale;
  stale.expected_sequence = 1;
  diagnostics diag;
  outcome<std::vector<event>> appended;
  f.store.async_append(events_of("3", 1), stale, diag, appended.handler());
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST(appended.result->first == error_code(store_errc::concurrency_conflict));
  BOOST_TEST(appended.result->second.empty());
  BOOST_TEST(diag.stream_domain() == "account");
  BOOST_TEST(diag.stream_identifier() == "3");
  BOOST_TEST((diag.expected_version() == std::optional<std::uint64_t>(1)));
  BOOST_TEST((diag.actual_version() == std::optional<std::uint64_t>(2)));
  BOOST_TEST(diag.message().find("expected version 1") != std::string::npos);
  BOOST_TEST(diag.written_events().empty());
  BOOST_TEST(diag.resend_events().size() == 1u);
  BOOST_TEST(!diag.in_doubt());

  // The next operation starts with clear diagnostics.
  append_options current;
  current.expected_sequence = 2;
  outcome<std::vector<event>> settled;
  f.store.async_append(events_of("3", 1), current, diag, settled.handler());
  run_until(f.io, [&] { return settled.done(); });
  BOOST_TEST(!settled.result->first);
  BOOST_TEST(diag.message().empty());
  BOOST_TEST(!diag.expected_version().has_value());
}

BOOST_AUTO_TEST_CASE(an_atomic_conflict_lists_every_stream_in_diagnostics) {
  store_fixture f("async-atomic");
  f.run(f.store.init(), 120s);
  f.run(f.store.append(events_of("4", 1)));

  atomic_append request;
  request.writes.push_back({"account", "4", stream_expectation::none(), events_of("4", 1)});
  request.writes.push_back({"account", "5", stream_expectation::anything(), events_of("5", 1)});
  request.checks.push_back({"account", "6", stream_expectation::exactly(2)});
  diagnostics diag;
  outcome<std::vector<event>> appended;
  f.store.async_append_atomic(request, diag, appended.handler());
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST(appended.result->first == error_code(store_errc::concurrency_conflict));
  BOOST_TEST_REQUIRE(diag.conflicts().size() == 2u);
  BOOST_TEST(diag.conflicts()[0].identifier == "4");
  BOOST_TEST(diag.conflicts()[0].actual == 1u);
  BOOST_TEST(diag.conflicts()[1].identifier == "6");
  BOOST_TEST(diag.conflicts()[1].check_only);
  BOOST_TEST(diag.conflicts()[1].actual == 0u);
  BOOST_TEST(diag.stream_identifier() == "4");
  BOOST_TEST(diag.written_events().empty());
  BOOST_TEST(f.run(f.store.stream_sequence("account", "5")) == 0u);
}

BOOST_AUTO_TEST_CASE(a_duplicate_id_fills_diagnostics_without_an_exception) {
  store_fixture f("async-duplicate");
  f.run(f.store.init(), 120s);
  std::vector<event> original = events_of("9", 1);
  original[0].id = "async-duplicate-id";
  f.run(f.store.append(original));

  std::vector<event> other = events_of("9", 1, "Closed");
  other[0].id = "async-duplicate-id";
  diagnostics diag;
  outcome<std::vector<event>> appended;
  f.store.async_append(other, append_options{}, diag, appended.handler());
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST(appended.result->first == error_code(store_errc::duplicate_event));
  BOOST_TEST(diag.duplicate_event_id() == "async-duplicate-id");
  BOOST_TEST(diag.message().find("async-duplicate-id") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_invalid_event_and_an_unknown_cursor_are_codes_with_a_message) {
  store_fixture f("async-invalid");
  f.run(f.store.init(), 120s);

  std::vector<event> untyped = events_of("1", 1);
  untyped[0].type.clear();
  diagnostics invalid;
  outcome<std::vector<event>> appended;
  f.store.async_append(untyped, append_options{}, invalid, appended.handler());
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST(appended.result->first == error_code(store_errc::invalid_event));
  BOOST_TEST(!invalid.message().empty());
  BOOST_TEST(invalid.written_events().empty());

  replay_options after_unknown;
  after_unknown.after_id = "no-such-event";
  replay cursor = f.store.all_events(after_unknown);
  diagnostics unknown;
  outcome<std::optional<std::vector<event>>> page;
  cursor.async_next(unknown, page.handler());
  run_until(f.io, [&] { return page.done(); });
  BOOST_TEST(page.result->first == error_code(store_errc::cursor_not_found));
  BOOST_TEST(!page.result->second.has_value());
  BOOST_TEST(unknown.message().find("no-such-event") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_terminal_cancellation_through_the_token_ends_an_append_unsent) {
  store_fixture f("async-cancel");
  f.run(f.store.init(), 120s);

  // Emitted before the io_context runs again: the append has sent nothing yet.
  asio::cancellation_signal signal;
  diagnostics diag;
  outcome<std::vector<event>> appended;
  f.store.async_append(events_of("c", 2), append_options{}, diag,
                       asio::bind_cancellation_slot(signal.slot(), appended.handler()));
  signal.emit(asio::cancellation_type::terminal);
  run_until(f.io, [&] { return appended.done(); });
  BOOST_TEST(appended.result->first == error_code(asio::error::operation_aborted));
  BOOST_TEST(!diag.in_doubt());
  BOOST_TEST(diag.written_events().empty());
  BOOST_TEST(f.run(f.store.stream_sequence("account", "c")) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
