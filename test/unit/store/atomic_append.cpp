// The pure parts of atomic appends: the request's shape and limits, the order of the call's
// actions, what CancellationReasons say about each stream, the conflict error, and the token.

#include <boost/test/unit_test.hpp>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "store/append_token.hpp"
#include "store/item_codec.hpp"

BOOST_AUTO_TEST_SUITE(atomic_append)

namespace ddb = evstore::dynamodb;
using namespace evstore;

namespace {

std::vector<event> events_of(std::size_t count) {
  std::vector<event> events(count);
  for (std::size_t i = 0; i < count; ++i) {
    events[i].id = "e" + std::to_string(i);
    events[i].type = "t";
  }
  return events;
}

atomic_stream_write write_of(std::string identifier, std::size_t count,
                             stream_expectation expectation = stream_expectation::anything()) {
  return {"d", std::move(identifier), expectation, events_of(count)};
}

bool refused(evstore::atomic_append request, const std::string& words) {
  try {
    check_atomic_request(request);
  } catch (const boost::system::system_error& error) {
    BOOST_TEST(std::string(error.what()).find(words) != std::string::npos, error.what());
    return error.code() == store_errc::invalid_event;
  }
  return false;
}

ddb::cancellation_reason reason(std::string code, std::optional<std::uint64_t> version = {}) {
  ddb::cancellation_reason r{std::move(code), "", std::nullopt};
  if (version) {
    ddb::item head = head_item_key("d", "s");
    head.emplace("version", ddb::attribute_value::number(*version));
    head.emplace("lastCreated", ddb::attribute_value::string("2026-01-02T03:04:05.006Z"));
    r.item = std::move(head);
  }
  return r;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_atomic_append)

BOOST_AUTO_TEST_CASE(expectations_are_met_by_the_versions_they_name) {
  BOOST_TEST(stream_expectation::exactly(3).met_by(3));
  BOOST_TEST(!stream_expectation::exactly(3).met_by(2));
  BOOST_TEST(stream_expectation::exactly(0).met_by(0));
  BOOST_TEST(stream_expectation::none().met_by(0));
  BOOST_TEST(!stream_expectation::none().met_by(1));
  BOOST_TEST(stream_expectation::existing().met_by(1));
  BOOST_TEST(!stream_expectation::existing().met_by(0));
  BOOST_TEST(stream_expectation::anything().met_by(0));
  BOOST_TEST(stream_expectation::anything().met_by(9));
  BOOST_TEST(stream_expectation::exactly(4).describe() == "version 4");
  BOOST_TEST(stream_expectation::existing().describe() == "an existing stream");
}

BOOST_AUTO_TEST_CASE(a_request_fills_in_its_events_streams) {
  evstore::atomic_append request;
  request.writes.push_back(write_of("s", 2));
  request.writes.push_back(write_of("", 1));
  request.writes[0].events[1].identifier = "s";
  check_atomic_request(request);
  BOOST_TEST(request.writes[0].events[0].domain == "d");
  BOOST_TEST(request.writes[0].events[0].identifier.value_or("") == "s");
  BOOST_TEST(!request.writes[1].events[0].identifier.has_value());
  BOOST_TEST(atomic_action_count(request) == 5u);
}

BOOST_AUTO_TEST_CASE(malformed_requests_are_refused) {
  BOOST_TEST(refused({}, "no stream to write to"));
  evstore::atomic_append empty_write;
  empty_write.writes.push_back(write_of("s", 0));
  BOOST_TEST(refused(empty_write, "give it as a check"));
  evstore::atomic_append twice;
  twice.writes.push_back(write_of("s", 1));
  twice.writes.push_back(write_of("s", 1));
  BOOST_TEST(refused(twice, "'d::s' is named more than once"));
  evstore::atomic_append checked_too;
  checked_too.writes.push_back(write_of("s", 1));
  checked_too.checks.push_back({"d", "s", stream_expectation::none()});
  BOOST_TEST(refused(checked_too, "named more than once"));
  evstore::atomic_append checked_twice;
  checked_twice.writes.push_back(write_of("s", 1));
  checked_twice.checks.push_back({"d", "t", stream_expectation::none()});
  checked_twice.checks.push_back({"d", "t", stream_expectation::existing()});
  BOOST_TEST(refused(checked_twice, "named more than once"));
  evstore::atomic_append any_check;
  any_check.writes.push_back(write_of("s", 1));
  any_check.checks.push_back({"d", "t", stream_expectation::anything()});
  BOOST_TEST(refused(any_check, "checks nothing"));
  evstore::atomic_append foreign;
  foreign.writes.push_back(write_of("s", 1));
  foreign.writes[0].events[0].domain = "other";
  BOOST_TEST(refused(foreign, "an event of stream 'other::s' is given for stream 'd::s'"));
  evstore::atomic_append no_domain;
  no_domain.writes.push_back(write_of("s", 1));
  no_domain.writes[0].domain.clear();
  BOOST_TEST(refused(no_domain, "without domain"));
}

BOOST_AUTO_TEST_CASE(one_hundred_actions_pass_and_one_more_is_refused_counting_heads_and_checks) {
  evstore::atomic_append full;
  full.writes.push_back(write_of("a", 48));
  full.writes.push_back(write_of("b", 48));
  full.checks.push_back({"d", "c", stream_expectation::none()});
  full.checks.push_back({"d", "e", stream_expectation::none()});
  BOOST_TEST(atomic_action_count(full) == 100u);
  BOOST_CHECK_NO_THROW(check_atomic_request(full));
  full.checks.push_back({"d", "f", stream_expectation::exactly(1)});
  BOOST_TEST(refused(full, "needs 101 actions"));
}

BOOST_AUTO_TEST_CASE(item_bytes_over_the_limit_are_refused) {
  BOOST_CHECK_NO_THROW(check_atomic_size({2'000'000, 2'000'000}));
  BOOST_CHECK_THROW(check_atomic_size({2'000'000, 2'000'001}), boost::system::system_error);
  transaction_limits small;
  small.max_item_bytes = 10;
  BOOST_CHECK_THROW(check_atomic_size({6, 5}, small), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(actions_are_each_writes_head_and_puts_then_the_checks) {
  const std::vector<atomic_action> actions = atomic_actions({{0, 1}, {2}}, 2);
  BOOST_TEST_REQUIRE(actions.size() == 7u);
  using kind = atomic_action::kind;
  const std::vector<std::tuple<kind, std::size_t, std::size_t>> expected{
      {kind::head, 0, 0}, {kind::put, 0, 0},   {kind::put, 0, 1},  {kind::head, 1, 0},
      {kind::put, 1, 2},  {kind::check, 0, 0}, {kind::check, 1, 0}};
  for (std::size_t i = 0; i < actions.size(); ++i) {
    BOOST_CHECK(actions[i].what == std::get<0>(expected[i]));
    BOOST_TEST(actions[i].stream == std::get<1>(expected[i]));
    if (actions[i].what == kind::put) BOOST_TEST(actions[i].position == std::get<2>(expected[i]));
  }
}

BOOST_AUTO_TEST_CASE(every_failed_head_and_check_is_reported_in_request_order) {
  const std::vector<event> events = events_of(3);
  const std::vector<atomic_action> actions = atomic_actions({{0, 1}, {2}}, 2);
  // Write 0's head fails (at 5), write 1 is fine, check 1 fails without an item.
  const std::vector<ddb::cancellation_reason> reasons{reason("ConditionalCheckFailed", 5),
                                                      reason("None"),
                                                      reason("None"),
                                                      reason("None"),
                                                      reason("None"),
                                                      reason("None"),
                                                      reason("ConditionalCheckFailed")};
  const atomic_cancellation verdict = classify_atomic_cancellation(actions, events, reasons);
  BOOST_CHECK(verdict.verdict == atomic_cancellation::kind::conditions_failed);
  BOOST_TEST_REQUIRE(verdict.failures.size() == 2u);
  BOOST_CHECK(verdict.failures[0].what == atomic_action::kind::head);
  BOOST_TEST(verdict.failures[0].stream == 0u);
  BOOST_TEST(*verdict.failures[0].actual_version == 5u);
  BOOST_TEST(verdict.failures[0].actual_last_created.has_value());
  BOOST_CHECK(verdict.failures[1].what == atomic_action::kind::check);
  BOOST_TEST(verdict.failures[1].stream == 1u);
  BOOST_TEST(!verdict.failures[1].actual_version.has_value());
  BOOST_TEST(verdict.summary.find("head of write 1: ConditionalCheckFailed") != std::string::npos);
  BOOST_TEST(verdict.summary.find("check 2: ConditionalCheckFailed") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(failed_conditions_win_over_duplicates_which_win_over_retryable_reasons) {
  const std::vector<event> events = events_of(2);
  const std::vector<atomic_action> actions = atomic_actions({{0, 1}}, 1);
  const auto classify = [&](std::vector<ddb::cancellation_reason> reasons) {
    return classify_atomic_cancellation(actions, events, reasons);
  };
  using kind = atomic_cancellation::kind;
  const atomic_cancellation duplicate =
      classify({reason("None"), reason("None"), reason("ConditionalCheckFailed"),
                reason("TransactionConflict")});
  BOOST_CHECK(duplicate.verdict == kind::duplicate_event);
  BOOST_TEST(duplicate.event_id == "e1");
  BOOST_CHECK(classify({reason("None"), reason("ConditionalCheckFailed"), reason("None"),
                        reason("ConditionalCheckFailed")})
                  .verdict == kind::conditions_failed);
  BOOST_CHECK(classify({reason("TransactionConflict"), reason("None"), reason("None"),
                        reason("ThrottlingError")})
                  .verdict == kind::retryable);
  BOOST_CHECK(classify({reason("TransactionConflict"), reason("ValidationError"), reason("None"),
                        reason("None")})
                  .verdict == kind::fatal);
  const atomic_cancellation none = classify({});
  BOOST_CHECK(none.verdict == kind::fatal);
  BOOST_TEST(none.summary == "no reason given");
}

BOOST_AUTO_TEST_CASE(the_conflict_error_lists_every_stream_and_names_the_first) {
  const atomic_conflict_error error({{"d", "a", false, stream_expectation::existing(), 0},
                                     {"d", "b", true, stream_expectation::exactly(3), 5}});
  BOOST_CHECK(error.code() == store_errc::concurrency_conflict);
  const concurrency_error& as_concurrency = error;
  BOOST_TEST(as_concurrency.identifier() == "a");
  BOOST_TEST(as_concurrency.expected_version() == 1u);
  BOOST_TEST(as_concurrency.actual_version() == 0u);
  const std::string what = error.what();
  BOOST_TEST(what.find("stream 'd::a' expected an existing stream but is at version 0") !=
             std::string::npos);
  BOOST_TEST(what.find("checked stream 'd::b' expected version 3 but is at version 5") !=
             std::string::npos);
  BOOST_TEST(error.conflicts().size() == 2u);
}

BOOST_AUTO_TEST_CASE(the_token_digest_covers_writes_and_checks) {
  std::vector<ddb::item> items(2);
  items[0].emplace("id", ddb::attribute_value::string("EventID#x"));
  items[1].emplace("id", ddb::attribute_value::string("EventID#y"));
  const std::vector<transaction_chunk> writes{{"d", "s", 0, 2, {0, 1}}};
  const std::vector<atomic_stream_check> checks{{"d", "t", stream_expectation::exactly(2)}};
  const transaction_digest base = atomic_transaction_digest("table", writes, checks, items);
  BOOST_CHECK(base == atomic_transaction_digest("table", writes, checks, items));
  std::vector<atomic_stream_check> other_check = checks;
  other_check[0].expectation = stream_expectation::exactly(3);
  BOOST_CHECK(base != atomic_transaction_digest("table", writes, other_check, items));
  other_check[0].expectation = stream_expectation::existing();
  BOOST_CHECK(base != atomic_transaction_digest("table", writes, other_check, items));
  BOOST_CHECK(base != atomic_transaction_digest("table", writes, {}, items));
  std::vector<ddb::item> other_items = items;
  other_items[1]["payload"] = ddb::attribute_value::string("{}");
  BOOST_CHECK(base != atomic_transaction_digest("table", writes, checks, other_items));
  // Never the digest of a single append of the same stream and items.
  BOOST_CHECK(base != transaction_content_digest("table", writes[0], items));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
