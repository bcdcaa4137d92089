#include <boost/test/unit_test.hpp>

#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"

BOOST_AUTO_TEST_SUITE(append_plan)

namespace ddb = evstore::dynamodb;
using evstore::cancellation_verdict;

namespace {

std::vector<evstore::event> stream_of(std::size_t count, std::string domain = "d",
                                      std::optional<std::string> identifier = "s") {
  std::vector<evstore::event> events(count);
  for (std::size_t i = 0; i < count; ++i) {
    events[i].id = domain + "-" + std::to_string(i);
    events[i].domain = domain;
    events[i].type = "t";
    events[i].identifier = identifier;
  }
  return events;
}

ddb::cancellation_reason reason(std::string code) {
  return {std::move(code), "", std::nullopt};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_plan)

BOOST_AUTO_TEST_CASE(groups_interleaved_streams_in_first_seen_order) {
  std::vector<evstore::event> events = stream_of(2, "b");
  const auto a = stream_of(2, "a", std::nullopt);
  events.insert(events.begin() + 1, a.begin(), a.end());  // b0 a0 a1 b1
  events.push_back(stream_of(1, "a", "")[0]);             // same stream as no identifier
  const auto streams = evstore::group_by_stream(events);
  BOOST_TEST_REQUIRE(streams.size() == 2u);
  BOOST_TEST(streams[0].domain == "b");
  BOOST_TEST(streams[0].positions == (std::vector<std::size_t>{0, 3}),
             boost::test_tools::per_element());
  BOOST_TEST(streams[1].domain == "a");
  BOOST_CHECK(streams[1].identifier == "");
  BOOST_TEST(streams[1].positions == (std::vector<std::size_t>{1, 2, 4}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(sequences_continue_from_the_current_version) {
  std::vector<evstore::event> events = stream_of(3);
  const auto streams = evstore::group_by_stream(events);
  evstore::assign_sequences(events, streams[0], 5);
  BOOST_TEST(events[0].sequence == 6u);
  BOOST_TEST(events[2].sequence == 8u);
}

BOOST_AUTO_TEST_CASE(a_new_stream_of_250_events_chains_three_transactions) {
  const auto events = stream_of(250);
  const auto streams = evstore::group_by_stream(events);
  const auto chunks = evstore::plan_transactions(streams[0], 0, std::vector<std::size_t>(250, 300));
  BOOST_TEST_REQUIRE(chunks.size() == 3u);
  BOOST_TEST(chunks[0].positions.size() == 99u);  // + the head Update = 100 actions
  BOOST_TEST(chunks[0].expected_version == 0u);   // a missing head
  BOOST_TEST(chunks[0].new_version == 99u);
  BOOST_TEST(chunks[1].expected_version == 99u);  // what the first call wrote
  BOOST_TEST(chunks[1].new_version == 198u);
  BOOST_TEST(chunks[2].expected_version == 198u);
  BOOST_TEST(chunks[2].new_version == 250u);
  BOOST_TEST(chunks[2].positions.front() == 198u);
  BOOST_TEST(chunks[2].positions.back() == 249u);
}

BOOST_AUTO_TEST_CASE(a_30_event_stream_fits_one_transaction) {
  const auto events = stream_of(30);
  const auto chunks = evstore::plan_transactions(evstore::group_by_stream(events)[0], 12,
                                                 std::vector<std::size_t>(30, 1000));
  BOOST_TEST_REQUIRE(chunks.size() == 1u);
  BOOST_TEST(chunks[0].expected_version == 12u);
  BOOST_TEST(chunks[0].new_version == 42u);
}

BOOST_AUTO_TEST_CASE(large_items_split_by_bytes) {
  const auto events = stream_of(25);
  const auto chunks = evstore::plan_transactions(evstore::group_by_stream(events)[0], 0,
                                                 std::vector<std::size_t>(25, 350'000));
  BOOST_TEST_REQUIRE(chunks.size() == 3u);
  BOOST_TEST(chunks[0].positions.size() == 11u);  // 11 * 350,000 <= 4,000,000 < 12 * 350,000
  BOOST_TEST(chunks[1].positions.size() == 11u);
  BOOST_TEST(chunks[2].positions.size() == 3u);
  BOOST_TEST(chunks[2].expected_version == 22u);
}

BOOST_AUTO_TEST_CASE(custom_limits_apply) {
  const auto events = stream_of(10);
  const auto chunks = evstore::plan_transactions(evstore::group_by_stream(events)[0], 0,
                                                 std::vector<std::size_t>(10, 1),
                                                 {.max_actions = 4, .max_item_bytes = 100});
  BOOST_TEST(chunks.size() == 4u);  // 3 + 3 + 3 + 1 puts
}

BOOST_AUTO_TEST_CASE(an_item_over_the_transaction_limit_is_an_error) {
  const auto events = stream_of(1);
  try {
    evstore::plan_transactions(evstore::group_by_stream(events)[0], 0, {5'000'000});
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& e) {
    BOOST_CHECK(e.code() == evstore::store_errc::transaction_too_large);
  }
}

BOOST_AUTO_TEST_CASE(classifies_cancellation_reasons) {
  const auto events = stream_of(3);
  const auto chunk = evstore::plan_transactions(evstore::group_by_stream(events)[0], 4,
                                                std::vector<std::size_t>(3, 10))[0];
  using kind = cancellation_verdict::kind;

  ddb::cancellation_reason head = reason("ConditionalCheckFailed");
  head.item = ddb::item{{"version", ddb::attribute_value::number(9)}};
  auto verdict = evstore::classify_cancellation(
      chunk, events, {head, reason("None"), reason("None"), reason("None")});
  BOOST_TEST((verdict.verdict == kind::version_conflict));
  BOOST_CHECK(verdict.actual_version == std::optional<std::uint64_t>(9));
  BOOST_CHECK(!verdict.actual_last_created);
  // The same version with a later lastCreated: the condition's time part failed.
  head.item->emplace("lastCreated", ddb::attribute_value::string("2030-01-01T00:00:00.000Z"));
  verdict = evstore::classify_cancellation(chunk, events,
                                           {head, reason("None"), reason("None"), reason("None")});
  BOOST_CHECK(verdict.actual_last_created == evstore::parse_iso8601("2030-01-01T00:00:00.000Z"));

  verdict = evstore::classify_cancellation(
      chunk, events,
      {reason("ConditionalCheckFailed"), reason("None"), reason("None"), reason("None")});
  BOOST_TEST((verdict.verdict == kind::version_conflict));
  BOOST_TEST(!verdict.actual_version.has_value());  // the caller reads the head

  verdict = evstore::classify_cancellation(
      chunk, events,
      {reason("None"), reason("None"), reason("ConditionalCheckFailed"), reason("None")});
  BOOST_TEST((verdict.verdict == kind::duplicate_event));
  BOOST_TEST(verdict.event_id == "d-1");

  verdict = evstore::classify_cancellation(
      chunk, events,
      {reason("TransactionConflict"), reason("None"), reason("ThrottlingError"), reason("None")});
  BOOST_TEST((verdict.verdict == kind::retryable));

  verdict = evstore::classify_cancellation(
      chunk, events,
      {reason("None"), reason("ValidationError"), reason("TransactionConflict"), reason("None")});
  BOOST_TEST((verdict.verdict == kind::fatal));
  BOOST_TEST(verdict.summary.find("ValidationError") != std::string::npos);
  BOOST_TEST(verdict.summary.find("d-0") != std::string::npos);

  verdict = evstore::classify_cancellation(chunk, events, {});
  BOOST_TEST((verdict.verdict == kind::fatal));
}

BOOST_AUTO_TEST_CASE(untimed_events_take_the_latest_of_now_the_head_and_the_event_before) {
  const evstore::timestamp now = evstore::parse_iso8601("2024-05-01T00:00:00.000Z");
  const evstore::timestamp ahead = evstore::parse_iso8601("2024-05-01T00:00:05.000Z");
  const evstore::timestamp later = evstore::parse_iso8601("2024-06-01T00:00:00.000Z");
  std::vector<evstore::event> events = stream_of(4);
  events[2].created = later;
  const std::vector<bool> caller_times{false, false, true, false};
  const std::vector<std::size_t> positions{0, 1, 2, 3};
  evstore::stamp_stream(events, positions, caller_times, now, std::nullopt);
  BOOST_CHECK(events[0].created == now);
  BOOST_CHECK(events[1].created == now);  // one time for the call: no drift ahead of the clock
  BOOST_CHECK(events[3].created == later);
  evstore::stamp_stream(events, positions, caller_times, now, now - std::chrono::hours{1});
  BOOST_CHECK(events[0].created == now);
  evstore::stamp_stream(events, positions, caller_times, now, ahead);
  BOOST_CHECK(events[0].created == ahead);
  BOOST_CHECK(events[1].created == ahead);
  BOOST_CHECK(events[3].created == later);
}

BOOST_AUTO_TEST_CASE(a_given_time_before_the_previous_event_of_its_stream_is_refused) {
  const evstore::timestamp now = evstore::parse_iso8601("2024-05-01T00:00:00.000Z");
  std::vector<evstore::event> events = stream_of(2);
  events[0].created = now;
  events[1].created = now - std::chrono::milliseconds{1};
  const std::vector<bool> caller_times{true, true};
  BOOST_CHECK_EXCEPTION(evstore::stamp_stream(events, {0, 1}, caller_times, now, std::nullopt),
                        boost::system::system_error, [](const boost::system::system_error& e) {
                          return e.code() == evstore::store_errc::invalid_event &&
                                 std::string(e.what()).find("event 2 (id 'd-1')") !=
                                     std::string::npos;
                        });
  // Against the head's lastCreated; equal times are fine.
  BOOST_CHECK_THROW(evstore::stamp_stream(events, {1}, caller_times, now, now),
                    boost::system::system_error);
  BOOST_CHECK_NO_THROW(evstore::stamp_stream(events, {0}, caller_times, now, now));
}

BOOST_AUTO_TEST_CASE(reads_the_head_s_last_created) {
  BOOST_CHECK(!evstore::head_last_created(std::nullopt));
  ddb::item head{{"id", ddb::attribute_value::string("EventID#HEAD::d::s")},
                 {"version", ddb::attribute_value::number(std::uint64_t{3})}};
  BOOST_CHECK(!evstore::head_last_created(head));  // the TypeScript adapter's heads
  head["lastCreated"] = ddb::attribute_value::string("2024-05-01T00:00:00.000Z");
  BOOST_CHECK(evstore::head_last_created(head) ==
              evstore::parse_iso8601("2024-05-01T00:00:00.000Z"));
  head["lastCreated"] = ddb::attribute_value::number(std::uint64_t{3});
  BOOST_CHECK_EXCEPTION(evstore::head_last_created(head), boost::system::system_error,
                        [](const boost::system::system_error& e) {
                          return e.code() == evstore::store_errc::corrupt_item;
                        });
}

BOOST_AUTO_TEST_CASE(an_append_error_reports_what_is_stored_and_never_nothing_then) {
  evstore::concurrency_error error("d", "s", 99, 100);
  std::vector<evstore::event> written = stream_of(2);
  written[0].sequence = 1;
  written[1].sequence = 2;
  std::vector<evstore::event> all = stream_of(3);
  error.set_outcome(written, all, false);
  const std::string what = error.what();
  BOOST_TEST(what.find("stored of this append's 3 events: 2 (stream d::s: 2 (ids 'd-0' .. "
                       "'d-1', sequences 1 .. 2))") != std::string::npos,
             what);
  BOOST_TEST(what.find("nothing") == std::string::npos, what);
  BOOST_TEST(error.written_events().size() == 2u);
  BOOST_TEST(error.resend_events().size() == 3u);
  error.set_outcome({}, all, true);
  BOOST_TEST(std::string(error.what()).find("no event of this append is known to be stored") !=
             std::string::npos);
  BOOST_TEST(error.in_doubt());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
