// Idempotent appends: re-appending events already stored writes no second copy, a different
// event under a stored id is a duplicate, a TransactWriteItems resent with its token is
// answered as success, and a resend settles an append exactly once while its first transaction
// is still on its way to the server.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "faults_setup.hpp"
#include "store/append_token.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(append_idempotent)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

event with_id(std::string id, std::string stream, std::string payload) {
  event e = make_event("order", std::move(stream), "placed", std::move(payload));
  e.id = std::move(id);
  return e;
}

constexpr int late_rounds = 24;

/// A repo whose every TransactWriteItems is held past its request timeout by a proxy, then
/// applied. The hold grows by round so that the late transaction lands before, among and after
/// a resend's lookups and transactions.
struct held_transactions {
  /// Long enough that no other request of the faulted repo (one attempt each) times out on a
  /// loaded machine; the holds end 5-143 ms after it.
  static constexpr std::chrono::milliseconds request_timeout{1'000};

  held_transactions(store_fixture& fixture, int round)
      : f(fixture),
        hold(request_timeout + std::chrono::milliseconds{5 + 6 * round}),
        faulted(fixture, {.share = 1.0,
                          .seed = evstore::test::fault_seed(11) + round,
                          .request_timeout = request_timeout,
                          .stall_time = hold,
                          .max_attempts = 1,
                          .dynamodb_kinds = {evstore::test::fault_kind::delayed_transaction}}) {}

  /// Returns once every held transaction has reached the server and been answered (its
  /// conditions fail when a resend wrote first), so the table can be read.
  void wait_until_answered() const {
    f.run([this]() -> boost::asio::awaitable<void> {
      boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
      for (int k = 0; k < 500 && !answered(); ++k) {
        timer.expires_after(std::chrono::milliseconds{10});
        co_await timer.async_wait(boost::asio::use_awaitable);
      }
    }());
    BOOST_TEST_REQUIRE(answered());
    BOOST_TEST(faulted.dynamodb_proxy.count(evstore::test::fault_kind::delayed_transaction) >= 1u);
  }

  store_fixture& f;
  const std::chrono::milliseconds hold;
  evstore::test::faulted_store faulted;

 private:
  bool answered() const {
    const evstore::test::fault_counts counts = faulted.dynamodb_proxy.counts();
    return counts.forwarded == counts.requests;
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_idempotent)

BOOST_AUTO_TEST_CASE(an_identical_re_append_returns_the_stored_events_and_writes_no_copy) {
  store_fixture f("reappend");
  f.run(f.store.init());
  std::vector<event> batch{with_id("o-1", "o", R"({"a":1,"b":[1,2]})"),
                           with_id("o-2", "o", R"({"c":"x"})")};
  batch[0].meta_json = R"({"user":"ann","n":2})";
  append_options options;
  options.expected_sequence = 0;
  const std::vector<event> first = f.run(f.store.append(batch, options));
  // The same events again, as after a lost response: no created time given, so the repo
  // would pick a new one; payload and meta spelled differently but equal as JSON.
  std::vector<event> again = batch;
  again[0].payload_json = R"({ "b": [1, 2], "a": 1 })";
  again[0].meta_json = R"({"n":2,"user":"ann"})";
  const std::vector<event> second = f.run(f.store.append(again, options));
  BOOST_TEST_REQUIRE(second.size() == 2u);
  for (std::size_t i = 0; i < 2; ++i) {
    BOOST_TEST(second[i].id == first[i].id);
    BOOST_TEST(second[i].sequence == first[i].sequence);
    BOOST_CHECK(second[i].created == first[i].created);
    BOOST_TEST(copies_of(f, first[i].id) == 1u);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("order", "o")) == 2u);
}

BOOST_AUTO_TEST_CASE(a_stored_leading_run_is_recognised_and_the_rest_appended_after_it) {
  store_fixture f("prefix");
  f.run(f.store.init());
  append_options options;
  options.expected_sequence = 0;
  std::vector<event> first{with_id("p-1", "p", "1"), with_id("p-2", "p", "2")};
  f.run(f.store.append(first, options));
  // A retry of a larger append whose first part was written.
  std::vector<event> retry{with_id("p-1", "p", "1"), with_id("p-2", "p", "2"),
                           with_id("p-3", "p", "3")};
  const std::vector<event> stored = f.run(f.store.append(retry, options));
  BOOST_TEST(stored[0].sequence == 1u);
  BOOST_TEST(stored[1].sequence == 2u);
  BOOST_TEST(stored[2].sequence == 3u);
  BOOST_TEST(f.run(f.store.stream_sequence("order", "p")) == 3u);
  BOOST_TEST(copies_of(f, "p-1") == 1u);
}

BOOST_AUTO_TEST_CASE(a_different_event_under_a_stored_id_is_a_duplicate_and_writes_nothing) {
  store_fixture f("dupdiff");
  f.run(f.store.init());
  f.run(f.store.append({with_id("d-1", "d", R"({"v":1})")}));
  // Another payload, another stream, and no created time (so another table key).
  std::vector<event> batch{with_id("d-2", "e", "{}"), with_id("d-1", "e", R"({"v":2})")};
  try {
    f.run(f.store.append(batch));
    BOOST_FAIL("expected a duplicate event error");
  } catch (const duplicate_event_error& error) {
    BOOST_TEST(error.event_id() == "d-1");
  }
  BOOST_TEST(f.run(f.store.stream_sequence("order", "e")) == 0u);
  BOOST_TEST(copies_of(f, "d-1") == 1u);
  BOOST_TEST(copies_of(f, "d-2") == 0u);
}

BOOST_AUTO_TEST_CASE(a_stored_event_after_a_new_one_in_its_stream_is_a_duplicate) {
  store_fixture f("order");
  f.run(f.store.init());
  f.run(f.store.append({with_id("q-2", "q", "2")}));
  std::vector<event> batch{with_id("q-1", "q", "1"), with_id("q-2", "q", "2")};
  BOOST_CHECK_THROW(f.run(f.store.append(batch)), duplicate_event_error);
  BOOST_TEST(f.run(f.store.stream_sequence("order", "q")) == 1u);
}

BOOST_AUTO_TEST_CASE(a_transaction_resent_with_its_token_succeeds_without_a_second_write) {
  store_fixture f("token");
  f.run(f.store.init());
  event e = make_event("order", "t", "placed");
  e.id = "t-1";
  e.created = test::utc("2024-06-01T00:00:00.000Z");
  e.sequence = 1;
  dynamodb::transact_write_items_request request;
  dynamodb::transact_update head;
  head.table_name = f.store.table_name();
  head.key = head_item_key("order", "t");
  head.update_expression = "SET #version = :new";
  head.condition_expression = "attribute_not_exists(#version)";
  head.names = {{"#version", "version"}};
  head.values = {{":new", dynamodb::attribute_value::number(std::uint64_t{1})}};
  request.items.emplace_back(head);
  dynamodb::transact_put put;
  put.table_name = f.store.table_name();
  put.item = to_item(e);
  put.condition_expression = "attribute_not_exists(id)";
  request.items.emplace_back(put);
  const transaction_chunk chunk{"order", "t", 0, 1, {0}};
  request.client_request_token =
      client_request_token(transaction_content_digest(f.store.table_name(), chunk, {put.item}), 1);
  f.run(f.ddb.transact_write_items(request));
  // The resend a lost response causes: the conditions now fail, the token answers it.
  f.run(f.ddb.transact_write_items(request));
  BOOST_TEST(f.run(f.store.stream_sequence("order", "t")) == 1u);
  BOOST_TEST(copies_of(f, "t-1") == 1u);
}

BOOST_AUTO_TEST_CASE(a_resend_settles_exactly_once_while_the_first_transaction_arrives_late) {
  store_fixture f("late", {.skip_bucket_creation = true});
  f.run(f.store.init());
  // The append reports its first transaction in doubt; its resend (sent at once, not through
  // the proxy) looks its 250 ids up and writes while that transaction is on its way.
  int in_doubt = 0;
  for (int round = 0; round < late_rounds; ++round) {
    held_transactions held(f, round);
    const std::string stream = "late-" + std::to_string(round);
    std::vector<event> events;
    for (int i = 0; i < 250; ++i)
      events.push_back(make_event("order", stream, "placed", R"({"i":)" + std::to_string(i) + "}"));
    // A hold near the timeout may end before the append reads its transaction back: then the
    // append goes on and completes, and the resend is a plain re-append.
    std::vector<event> resend;
    try {
      resend = f.run(held.faulted.store.append(events));
    } catch (const append_error& failure) {
      BOOST_TEST_REQUIRE(failure.in_doubt(), failure.what());
      resend = failure.resend_events();
      ++in_doubt;
    }
    BOOST_TEST_CONTEXT("round " << round << ", held " << held.hold.count() << " ms") {
      const std::vector<event> stored = f.run(f.store.append(resend));
      held.wait_until_answered();
      const std::vector<event> in_stream = f.run(f.store.stream_events("order", stream, {}));
      BOOST_TEST_REQUIRE(in_stream.size() == events.size());
      for (std::size_t k = 0; k < in_stream.size(); ++k) {
        BOOST_TEST(in_stream[k].id == resend[k].id);
        BOOST_TEST(in_stream[k].sequence == k + 1);
        BOOST_TEST(in_stream[k].payload_json == events[k].payload_json);
        BOOST_TEST(stored.at(k).id == resend[k].id);
        BOOST_TEST(stored[k].sequence == k + 1);
      }
      for (std::size_t k = 0; k < resend.size(); k += 50)
        BOOST_TEST(copies_of(f, resend[k].id) == 1u);
    }
  }
  BOOST_TEST(in_doubt >= late_rounds / 2);
}

BOOST_AUTO_TEST_CASE(an_atomic_resend_settles_exactly_once_while_its_transaction_arrives_late) {
  store_fixture f("late-atomic", {.skip_bucket_creation = true});
  f.run(f.store.init());
  // Three streams of 30 events in one transaction; the resend looks its 90 ids up while the
  // first send is on its way.
  int in_doubt = 0;
  for (int round = 0; round < late_rounds; ++round) {
    held_transactions held(f, round);
    const std::string prefix = "late-atomic-" + std::to_string(round) + "-";
    const auto request_of = [&](const std::vector<event>& events) {
      atomic_append request;
      for (int s = 0; s < 3; ++s)
        request.writes.push_back(
            {"order", prefix + std::to_string(s), stream_expectation::none(),
             std::vector<event>(events.begin() + 30 * s, events.begin() + 30 * (s + 1))});
      return request;
    };
    std::vector<event> events;
    for (int s = 0; s < 3; ++s)
      for (int i = 0; i < 30; ++i)
        events.push_back(make_event("order", prefix + std::to_string(s), "placed",
                                    R"({"i":)" + std::to_string(i) + "}"));
    std::vector<event> resend;
    try {
      resend = f.run(held.faulted.store.append_atomic(request_of(events)));
    } catch (const append_error& failure) {
      BOOST_TEST_REQUIRE(failure.in_doubt(), failure.what());
      resend = failure.resend_events();
      ++in_doubt;
    }
    BOOST_TEST_CONTEXT("round " << round << ", held " << held.hold.count() << " ms") {
      BOOST_TEST_REQUIRE(resend.size() == events.size());
      const std::vector<event> stored = f.run(f.store.append_atomic(request_of(resend)));
      held.wait_until_answered();
      for (int s = 0; s < 3; ++s) {
        const std::vector<event> in_stream =
            f.run(f.store.stream_events("order", prefix + std::to_string(s), {}));
        BOOST_TEST_REQUIRE(in_stream.size() == 30u);
        for (std::size_t k = 0; k < in_stream.size(); ++k) {
          BOOST_TEST(in_stream[k].id == resend[30 * s + k].id);
          BOOST_TEST(in_stream[k].sequence == k + 1);
          BOOST_TEST(stored.at(30 * s + k).id == resend[30 * s + k].id);
        }
      }
      BOOST_TEST(copies_of(f, resend.front().id) == 1u);
    }
  }
  BOOST_TEST(in_doubt >= late_rounds / 2);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
