#include <boost/test/unit_test.hpp>

#include "evstore/store/append_plan.hpp"
#include "evstore/store/errors.hpp"

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

BOOST_AUTO_TEST_SUITE_END()
