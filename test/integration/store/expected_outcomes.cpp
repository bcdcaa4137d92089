// Expected outcomes of appending (version conflicts: a stale expectation, a race lost to another
// writer) reach the completion-token forms as error codes without a single exception raised on
// the way, so a burst of conflicts costs no unwinding; the awaitable forms throw once (which
// Asio's awaitable rethrows into the awaiting coroutine).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"
#include "support/raised_exceptions.hpp"
#include "support/run_until.hpp"

BOOST_AUTO_TEST_SUITE(expected_outcomes)

using namespace evstore;
using namespace evstore::test;
using namespace std::chrono_literals;
using boost::system::error_code;

namespace {

/// Conflicts in a row each case provokes.
constexpr int conflicts_per_case = 30;

std::vector<event> events_of(const std::string& identifier, int count) {
  std::vector<event> events;
  for (int i = 0; i < count; ++i) events.push_back(make_event("account", identifier, "Deposited"));
  return events;
}

/// One completion of a token form: its code and value.
struct completion {
  std::optional<std::pair<error_code, std::vector<event>>> result;
  auto handler() {
    return [this](error_code code, std::vector<event> value) {
      result.emplace(code, std::move(value));
    };
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(stale_expectations_complete_with_codes_and_raise_nothing) {
  store_fixture f("expected-stale");
  f.run(f.store.init(), 120s);
  f.run(f.store.append(events_of("1", 3)));

  append_options stale;
  stale.expected_sequence = 1;
  const std::uint64_t before = raised_exceptions();
  for (int round = 0; round < conflicts_per_case; ++round) {
    // Half with diagnostics, half without: both paths complete without an exception.
    diagnostics diag;
    completion appended;
    if (round % 2 == 0)
      f.store.async_append(events_of("1", 2), stale, diag, appended.handler());
    else
      f.store.async_append(events_of("1", 2), stale, appended.handler());
    run_until(f.io, [&] { return appended.result.has_value(); });
    BOOST_TEST(appended.result->first == error_code(store_errc::concurrency_conflict));
    BOOST_TEST(appended.result->second.empty());
    if (round % 2 == 0) {
      BOOST_TEST(diag.stream_identifier() == "1");
      BOOST_TEST((diag.expected_version() == std::optional<std::uint64_t>(1)));
      BOOST_TEST((diag.actual_version() == std::optional<std::uint64_t>(3)));
      BOOST_TEST(diag.written_events().empty());
      BOOST_TEST(diag.resend_events().size() == 2u);
      BOOST_TEST(!diag.in_doubt());
      BOOST_TEST(diag.message().find("'account::1'") != std::string::npos, diag.message());
    }
  }
  BOOST_TEST(raised_exceptions() - before == 0u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "1")) == 3u);
}

BOOST_AUTO_TEST_CASE(a_conflict_on_a_later_stream_reports_the_written_ones_and_raises_nothing) {
  store_fixture f("expected-streams");
  f.run(f.store.init(), 120s);
  const std::uint64_t before = raised_exceptions();
  for (int round = 0; round < conflicts_per_case / 3; ++round) {
    const std::string fresh = "fresh-" + std::to_string(round);
    const std::string busy = "busy-" + std::to_string(round);
    f.run(f.store.append(events_of(busy, 1)));
    const std::uint64_t after_setup = raised_exceptions();
    std::vector<event> events = events_of(fresh, 2);
    for (event& e : events_of(busy, 2)) events.push_back(std::move(e));
    append_options from_nothing;
    from_nothing.expected_sequence = 0;
    diagnostics diag;
    completion appended;
    f.store.async_append(events, from_nothing, diag, appended.handler());
    run_until(f.io, [&] { return appended.result.has_value(); });
    BOOST_TEST(raised_exceptions() - after_setup == 0u);
    BOOST_TEST(appended.result->first == error_code(store_errc::concurrency_conflict));
    BOOST_TEST(diag.stream_identifier() == busy);
    BOOST_TEST((diag.actual_version() == std::optional<std::uint64_t>(1)));
    // The streams are written one after the other: the fresh one is stored whole.
    BOOST_TEST_REQUIRE(diag.written_events().size() == 2u);
    BOOST_TEST((diag.written_events()[0].identifier == fresh));
    BOOST_TEST(diag.written_events()[1].sequence == 2u);
    BOOST_TEST(diag.resend_events().size() == 4u);
  }
  // The setup appends succeeded: nothing raised in the whole case.
  BOOST_TEST(raised_exceptions() - before == 0u);
}

BOOST_AUTO_TEST_CASE(writers_racing_for_one_version_lose_without_an_exception) {
  store_fixture f("expected-race");
  f.run(f.store.init(), 120s);
  constexpr int writers = 6;
  const std::uint64_t before = raised_exceptions();
  int conflicts = 0;
  for (std::uint64_t version = 0; conflicts < conflicts_per_case && version < 40; ++version) {
    append_options expected;
    expected.expected_sequence = version;
    std::vector<diagnostics> diags(writers);
    std::vector<completion> appended(writers);
    for (int w = 0; w < writers; ++w)
      f.store.async_append(events_of("contended", 1), expected, diags[w], appended[w].handler());
    run_until(f.io, [&] {
      return std::all_of(appended.begin(), appended.end(),
                         [](const completion& c) { return c.result.has_value(); });
    });
    int won = 0;
    for (int w = 0; w < writers; ++w) {
      const error_code code = appended[w].result->first;
      if (!code) {
        ++won;
        continue;
      }
      BOOST_TEST(code == error_code(store_errc::concurrency_conflict), diags[w].message());
      BOOST_TEST((diags[w].expected_version() == std::optional<std::uint64_t>(version)));
      BOOST_TEST((diags[w].actual_version() == std::optional<std::uint64_t>(version + 1)));
      ++conflicts;
    }
    BOOST_TEST(won == 1);
  }
  BOOST_TEST(conflicts >= conflicts_per_case);
  BOOST_TEST(raised_exceptions() - before == 0u);
}

BOOST_AUTO_TEST_CASE(atomic_conflicts_complete_with_codes_and_raise_nothing) {
  store_fixture f("expected-atomic");
  f.run(f.store.init(), 120s);
  f.run(f.store.append(events_of("a", 2)));
  const std::uint64_t before = raised_exceptions();
  for (int round = 0; round < conflicts_per_case; ++round) {
    atomic_append request;
    request.writes.push_back({"account", "a", stream_expectation::exactly(1), events_of("a", 1)});
    request.writes.push_back({"account", "b", stream_expectation::none(), events_of("b", 1)});
    diagnostics diag;
    completion appended;
    f.store.async_append_atomic(request, diag, appended.handler());
    run_until(f.io, [&] { return appended.result.has_value(); });
    BOOST_TEST(appended.result->first == error_code(store_errc::concurrency_conflict));
    BOOST_TEST_REQUIRE(diag.conflicts().size() == 1u);
    BOOST_TEST(diag.conflicts()[0].identifier == "a");
    BOOST_TEST(diag.conflicts()[0].actual == 2u);
    BOOST_TEST(diag.resend_events().size() == 2u);
  }
  BOOST_TEST(raised_exceptions() - before == 0u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 0u);
}

BOOST_AUTO_TEST_CASE(the_awaitable_form_throws_the_conflict_once) {
  store_fixture f("expected-awaitable");
  f.run(f.store.init(), 120s);
  f.run(f.store.append(events_of("1", 2)));
  append_options stale;
  stale.expected_sequence = 1;
  std::uint64_t raised_in_store = 0;
  int caught = 0;
  f.run([&]() -> boost::asio::awaitable<void> {
    for (int round = 0; round < conflicts_per_case; ++round) {
      const std::uint64_t before = raised_exceptions();
      try {
        co_await f.store.append(events_of("1", 1), stale);
      } catch (const concurrency_error& conflict) {
        raised_in_store += raised_exceptions() - before;
        BOOST_TEST(conflict.actual_version() == 2u);
        ++caught;
      }
    }
  }());
  BOOST_TEST(caught == conflicts_per_case);
  // Each conflict: the throw, and Asio's rethrow of it into the awaiting coroutine.
  BOOST_TEST(raised_in_store == 2u * conflicts_per_case);
}

BOOST_AUTO_TEST_SUITE_END()
