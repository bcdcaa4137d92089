// Atomic appends across streams (repo::append_atomic) on DynamoDB Local: all or nothing, every
// failing stream reported, limits refused before anything is written, resends stored once, and
// racing writers over overlapping streams keep every stream contiguous.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "faults_setup.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/for_each_concurrently.hpp"

BOOST_AUTO_TEST_SUITE(append_atomic)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

std::vector<event> steps(std::size_t count, const std::string& tag) {
  std::vector<event> events;
  for (std::size_t i = 0; i < count; ++i) {
    event e;
    e.type = "step";
    e.payload_json = "{\"tag\":\"" + tag + "\",\"n\":" + std::to_string(i) + "}";
    events.push_back(std::move(e));
  }
  return events;
}

atomic_stream_write write_of(std::string identifier, stream_expectation expectation,
                             std::vector<event> events) {
  return {"account", std::move(identifier), expectation, std::move(events)};
}

atomic_stream_check check_of(std::string identifier, stream_expectation expectation) {
  return {"account", std::move(identifier), expectation};
}

/// Every item of the table (events, heads, metadata), read with a consistent Scan.
std::vector<dynamodb::item> table_items(store_fixture& f) {
  std::vector<dynamodb::item> items;
  dynamodb::scan_request request;
  request.table_name = f.store.table_name();
  request.consistent_read = true;
  for (int pages = 0; pages < 1000; ++pages) {
    dynamodb::scan_result page = f.run(f.ddb.scan(request));
    std::move(page.items.begin(), page.items.end(), std::back_inserter(items));
    if (!page.last_evaluated_key) break;
    request.exclusive_start_key = std::move(page.last_evaluated_key);
  }
  return items;
}

/// The table's items as text, in a stable order, to compare before and after.
std::vector<std::string> table_snapshot(store_fixture& f) {
  std::vector<std::string> texts;
  for (const dynamodb::item& item : table_items(f)) {
    // The metadata item's month range may widen before a refused call: not an event or head.
    if (item.at("id").as_string().find("EventID#") != 0) continue;
    texts.push_back(dynamodb::to_document_text(dynamodb::attribute_value::map(item)));
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

std::vector<event> append_atomic(store_fixture& f, atomic_append request) {
  return f.run(f.store.append_atomic(std::move(request)));
}

/// Sets up: account::a at version 2, account::b at version 1.
void two_streams(store_fixture& f) {
  f.run(f.store.init());
  std::vector<event> a = steps(2, "a0");
  for (event& e : a) e.domain = "account", e.identifier = "a";
  std::vector<event> b = steps(1, "b0");
  for (event& e : b) e.domain = "account", e.identifier = "b";
  f.run(f.store.append(a));
  f.run(f.store.append(b));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_atomic)

BOOST_AUTO_TEST_CASE(writes_several_streams_with_their_expectations_at_once) {
  store_fixture f("atomic-ok");
  two_streams(f);
  atomic_append request;
  request.writes.push_back(write_of("a", stream_expectation::exactly(2), steps(2, "a1")));
  request.writes.push_back(write_of("b", stream_expectation::existing(), steps(1, "b1")));
  request.writes.push_back(write_of("c", stream_expectation::none(), steps(3, "c1")));
  request.writes.push_back(write_of("d", stream_expectation::anything(), steps(1, "d1")));
  request.checks.push_back(check_of("e", stream_expectation::none()));
  const std::vector<event> stored = append_atomic(f, request);
  BOOST_TEST_REQUIRE(stored.size() == 7u);
  const std::vector<std::pair<std::string, std::uint64_t>> expected{
      {"a", 3}, {"a", 4}, {"b", 2}, {"c", 1}, {"c", 2}, {"c", 3}, {"d", 1}};
  for (std::size_t i = 0; i < stored.size(); ++i) {
    BOOST_TEST(stored[i].identifier.value_or("") == expected[i].first);
    BOOST_TEST(stored[i].sequence == expected[i].second);
    BOOST_TEST(stored[i].id.size() == 36u);
    BOOST_TEST(stored[i].created.has_value());
  }
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a")) == 4u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "c")) == 3u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "e")) == 0u);
  // Replay sees them like any other events.
  std::size_t replayed = 0;
  for (const event& e : f.replay_all({.page_size = 100})) replayed += e.domain == "account";
  BOOST_TEST(replayed == 10u);
  const std::vector<event> c = f.run(f.store.stream_events("account", "c", {}));
  BOOST_TEST_REQUIRE(c.size() == 3u);
  BOOST_TEST(c[2].payload_json == stored[5].payload_json);
}

BOOST_AUTO_TEST_CASE(a_conflict_on_some_streams_writes_nothing_and_reports_every_one) {
  store_fixture f("atomic-conflict");
  two_streams(f);
  const std::vector<std::string> before = table_snapshot(f);
  atomic_append request;
  request.writes.push_back(write_of("b", stream_expectation::exactly(0), steps(1, "b1")));
  request.writes.push_back(write_of("c", stream_expectation::existing(), steps(1, "c1")));
  request.writes.push_back(write_of("d", stream_expectation::none(), steps(2, "d1")));
  request.checks.push_back(check_of("z", stream_expectation::none()));
  request.checks.push_back(check_of("a", stream_expectation::exactly(7)));
  try {
    append_atomic(f, request);
    BOOST_FAIL("expected an atomic_conflict_error");
  } catch (const atomic_conflict_error& error) {
    BOOST_CHECK(error.code() == store_errc::concurrency_conflict);
    BOOST_TEST(error.written_events().empty());
    const std::vector<stream_conflict>& conflicts = error.conflicts();
    BOOST_TEST_REQUIRE(conflicts.size() == 3u);
    BOOST_TEST(conflicts[0].identifier == "b");
    BOOST_TEST(!conflicts[0].check_only);
    BOOST_TEST(conflicts[0].expected.version == 0u);
    BOOST_TEST(conflicts[0].actual == 1u);
    BOOST_TEST(conflicts[1].identifier == "c");
    BOOST_CHECK(conflicts[1].expected.what == stream_expectation::kind::exists);
    BOOST_TEST(conflicts[1].actual == 0u);
    BOOST_TEST(conflicts[2].identifier == "a");
    BOOST_TEST(conflicts[2].check_only);
    BOOST_TEST(conflicts[2].expected.version == 7u);
    BOOST_TEST(conflicts[2].actual == 2u);
    // As a concurrency_error it names the first.
    BOOST_TEST(error.identifier() == "b");
    BOOST_TEST(error.actual_version() == 1u);
    const std::string what = error.what();
    BOOST_TEST(what.find("'account::c' expected an existing stream but is at version 0") !=
               std::string::npos);
  }
  BOOST_CHECK(table_snapshot(f) == before);
}

BOOST_AUTO_TEST_CASE(heads_moved_after_the_read_are_caught_by_the_transaction_and_all_reported) {
  store_fixture f("atomic-moved");
  two_streams(f);  // a at 2, b at 1
  event d = make_event("account", "d", "step");
  f.run(f.store.append({d}));
  // Another writer appends to b, c and d between this call's head reads and its transaction:
  // when the call offloads its large payload (logged), a second repo on its own io_context
  // writes, so the reads saw the old heads and only the transaction's conditions can tell.
  auto interfered = std::make_shared<bool>(false);
  repo_options options = f.options;
  options.skip_table_creation = true;
  options.skip_bucket_creation = true;
  options.log = [&f, interfered](log_level, std::string_view message) {
    if (*interfered || message.find("offloaded the payload") == std::string_view::npos) return;
    *interfered = true;
    boost::asio::io_context other_io;
    repo other(other_io.get_executor(), evstore::test::local_config(), f.options);
    std::vector<event> others;
    for (const char* stream : {"b", "c", "d"}) others.push_back(make_event("account", stream, "x"));
    evstore::test::run_for(other_io, other.append(std::move(others)));
  };
  std::vector<std::string> cancellations;
  const auto sink = options.log;
  options.log = [sink, &cancellations](log_level level, std::string_view message) {
    if (message.find("atomic append cancelled") != std::string_view::npos)
      cancellations.emplace_back(message);
    sink(level, message);
  };
  repo store(f.io.get_executor(), evstore::test::local_config(), options);

  atomic_append request;
  std::vector<event> a = steps(1, "a1");
  a[0].payload_json = "{\"blob\":\"" + std::string(400'000, 'm') + "\"}";
  request.writes.push_back(write_of("a", stream_expectation::exactly(2), std::move(a)));
  request.writes.push_back(write_of("b", stream_expectation::exactly(1), steps(1, "b1")));
  request.writes.push_back(write_of("c", stream_expectation::anything(), steps(1, "c1")));
  request.checks.push_back(check_of("d", stream_expectation::exactly(1)));
  try {
    f.run(store.append_atomic(request));
    BOOST_FAIL("expected an atomic_conflict_error");
  } catch (const atomic_conflict_error& error) {
    BOOST_TEST(*interfered);
    const std::vector<stream_conflict>& conflicts = error.conflicts();
    BOOST_TEST_REQUIRE(conflicts.size() == 2u, error.what());
    BOOST_TEST(conflicts[0].identifier == "b");
    BOOST_TEST(conflicts[0].expected.version == 1u);
    BOOST_TEST(conflicts[0].actual == 2u);
    BOOST_TEST(conflicts[1].identifier == "d");
    BOOST_TEST(conflicts[1].check_only);
    BOOST_TEST(conflicts[1].actual == 2u);
  }
  // The transaction (not a read) refused it, and nothing of it was written.
  BOOST_TEST_REQUIRE(cancellations.size() == 1u);
  BOOST_TEST(cancellations[0].find("by its conditions") != std::string::npos, cancellations[0]);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a")) == 2u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 2u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "c")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "d")) == 2u);
}

BOOST_AUTO_TEST_CASE(each_expectation_is_accepted_when_met_and_refused_when_not) {
  store_fixture f("atomic-expect");
  two_streams(f);  // a at 2 (and growing), b at 1 (and growing)
  using expect = stream_expectation;
  struct expectation_case {
    bool existing;  ///< on stream a, else on a new stream
    expect (*make)(std::uint64_t current);
    bool met;
  };
  const std::vector<expectation_case> cases{
      {true, [](std::uint64_t v) { return expect::exactly(v); }, true},
      {true, [](std::uint64_t v) { return expect::exactly(v - 1); }, false},
      {true, [](std::uint64_t) { return expect::exactly(0); }, false},
      {false, [](std::uint64_t) { return expect::exactly(0); }, true},
      {false, [](std::uint64_t) { return expect::exactly(1); }, false},
      {false, [](std::uint64_t) { return expect::none(); }, true},
      {true, [](std::uint64_t) { return expect::none(); }, false},
      {true, [](std::uint64_t) { return expect::existing(); }, true},
      {false, [](std::uint64_t) { return expect::existing(); }, false},
      {true, [](std::uint64_t) { return expect::anything(); }, true},
      {false, [](std::uint64_t) { return expect::anything(); }, true},
  };
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const expectation_case& c = cases[k];
    // As a write beside a write to b, then as a check beside a write to b.
    for (const bool as_check : {false, true}) {
      const std::string stream =
          c.existing ? "a" : "new" + std::to_string(k) + (as_check ? "c" : "w");
      const std::uint64_t stream_before = f.run(f.store.stream_sequence("account", stream));
      const expect expectation = c.make(stream_before);
      if (as_check && expectation.what == expect::kind::any) continue;
      BOOST_TEST_CONTEXT(stream << " at " << stream_before << " expecting "
                                << expectation.describe() << (as_check ? " (check)" : "")) {
        const std::uint64_t b_before = f.run(f.store.stream_sequence("account", "b"));
        atomic_append request;
        request.writes.push_back(write_of("b", expect::exactly(b_before), steps(1, "b")));
        if (as_check)
          request.checks.push_back(check_of(stream, expectation));
        else
          request.writes.push_back(write_of(stream, expectation, steps(1, stream)));
        bool written = true;
        try {
          append_atomic(f, request);
        } catch (const atomic_conflict_error& error) {
          written = false;
          BOOST_TEST_REQUIRE(error.conflicts().size() == 1u);
          BOOST_TEST(error.conflicts()[0].identifier == stream);
          BOOST_TEST(error.conflicts()[0].check_only == as_check);
          BOOST_TEST(error.conflicts()[0].actual == stream_before);
        }
        BOOST_TEST(written == c.met);
        BOOST_TEST(f.run(f.store.stream_sequence("account", stream)) ==
                   stream_before + (c.met && !as_check ? 1 : 0));
        BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == b_before + (c.met ? 1 : 0));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(requests_over_one_transaction_or_naming_a_stream_twice_are_refused_first) {
  store_fixture f("atomic-limits");
  two_streams(f);
  const std::vector<std::string> before = table_snapshot(f);
  const std::uint64_t requests_before = f.store.metrics().dynamodb.requests;
  const auto refused = [&](atomic_append request, const std::string& words) {
    try {
      append_atomic(f, std::move(request));
      BOOST_FAIL("expected invalid_event");
    } catch (const boost::system::system_error& error) {
      BOOST_CHECK(error.code() == store_errc::invalid_event);
      BOOST_TEST(std::string(error.what()).find(words) != std::string::npos, error.what());
    }
  };
  // 101 actions: two heads and 99 events.
  atomic_append actions;
  actions.writes.push_back(write_of("x", stream_expectation::anything(), steps(50, "x")));
  actions.writes.push_back(write_of("y", stream_expectation::anything(), steps(49, "y")));
  refused(actions, "101 actions");
  // Checks count: 1 head, 98 events, 2 checks.
  atomic_append checks;
  checks.writes.push_back(write_of("x", stream_expectation::anything(), steps(98, "x")));
  checks.checks.push_back(check_of("a", stream_expectation::existing()));
  checks.checks.push_back(check_of("b", stream_expectation::existing()));
  refused(checks, "101 actions");
  // Over 4 MB: 14 items of about 300 KB (under the offload threshold, so not offloaded).
  atomic_append bytes;
  std::vector<event> big = steps(14, "big");
  for (event& e : big) e.payload_json = "{\"blob\":\"" + std::string(300'000, 'z') + "\"}";
  bytes.writes.push_back(write_of("x", stream_expectation::anything(), std::move(big)));
  refused(bytes, "over the 4000000");
  atomic_append twice;
  twice.writes.push_back(write_of("x", stream_expectation::anything(), steps(1, "x")));
  twice.writes.push_back(write_of("x", stream_expectation::anything(), steps(1, "x")));
  refused(twice, "named more than once");
  atomic_append written_and_checked;
  written_and_checked.writes.push_back(
      write_of("x", stream_expectation::anything(), steps(1, "x")));
  written_and_checked.checks.push_back(check_of("x", stream_expectation::none()));
  refused(written_and_checked, "named more than once");
  atomic_append check_any;
  check_any.writes.push_back(write_of("x", stream_expectation::anything(), steps(1, "x")));
  check_any.checks.push_back(check_of("a", stream_expectation::anything()));
  refused(check_any, "checks nothing");
  atomic_append foreign;
  std::vector<event> other = steps(1, "x");
  other[0].identifier = "y";
  foreign.writes.push_back(write_of("x", stream_expectation::anything(), std::move(other)));
  refused(foreign, "is given for stream");
  // Nothing was sent, nothing was written.
  BOOST_TEST(f.store.metrics().dynamodb.requests == requests_before);
  BOOST_CHECK(table_snapshot(f) == before);

  // Exactly 100 actions go through: 1 head, 97 events, 2 checks.
  atomic_append full;
  full.writes.push_back(write_of("x", stream_expectation::none(), steps(97, "x")));
  full.checks.push_back(check_of("a", stream_expectation::exactly(2)));
  full.checks.push_back(check_of("b", stream_expectation::existing()));
  BOOST_TEST(append_atomic(f, full).size() == 97u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "x")) == 97u);
}

BOOST_AUTO_TEST_CASE(dynamodb_local_returns_every_failed_condition_with_its_item) {
  // What append_atomic relies on: one reason per action in request order, each failed head or
  // check with the item as stored (ALL_OLD), not only the first failure.
  store_fixture f("atomic-reasons");
  two_streams(f);
  dynamodb::transact_write_items_request request;
  dynamodb::transact_update head;
  head.table_name = f.store.table_name();
  head.key = head_item_key("account", "a");
  head.update_expression = "SET #version = :next";
  head.condition_expression = "#version = :expected";
  head.names = {{"#version", "version"}};
  head.values = {{":next", dynamodb::attribute_value::number(std::uint64_t{6})},
                 {":expected", dynamodb::attribute_value::number(std::uint64_t{5})}};
  head.return_values_on_condition_check_failure =
      dynamodb::return_values_on_condition_check_failure::all_old;
  request.items.emplace_back(head);
  dynamodb::transact_condition_check ok;
  ok.table_name = f.store.table_name();
  ok.key = head_item_key("account", "n");
  ok.condition_expression = "attribute_not_exists(#version)";
  ok.names = {{"#version", "version"}};
  request.items.emplace_back(ok);
  dynamodb::transact_condition_check check;
  check.table_name = f.store.table_name();
  check.key = head_item_key("account", "b");
  check.condition_expression = "attribute_not_exists(#version)";
  check.names = {{"#version", "version"}};
  check.return_values_on_condition_check_failure =
      dynamodb::return_values_on_condition_check_failure::all_old;
  request.items.emplace_back(check);
  try {
    f.run(f.ddb.transact_write_items(request));
    BOOST_FAIL("expected a cancelled transaction");
  } catch (const dynamodb::service_error& error) {
    const std::vector<dynamodb::cancellation_reason>& reasons = error.cancellation_reasons();
    BOOST_TEST_REQUIRE(reasons.size() == 3u);
    BOOST_TEST(reasons[0].code == "ConditionalCheckFailed");
    BOOST_TEST(reasons[1].code == "None");
    BOOST_TEST(reasons[2].code == "ConditionalCheckFailed");
    BOOST_TEST_REQUIRE(reasons[0].item.has_value());
    BOOST_TEST_REQUIRE(reasons[2].item.has_value());
    BOOST_TEST(head_version(reasons[0].item) == 2u);
    BOOST_TEST(head_version(reasons[2].item) == 1u);
    const std::vector<atomic_action> actions{{atomic_action::kind::head, 0, 0},
                                             {atomic_action::kind::check, 0, 0},
                                             {atomic_action::kind::check, 1, 0}};
    const atomic_cancellation verdict = classify_atomic_cancellation(actions, {}, reasons);
    BOOST_CHECK(verdict.verdict == atomic_cancellation::kind::conditions_failed);
    BOOST_TEST_REQUIRE(verdict.failures.size() == 2u);
    BOOST_TEST(*verdict.failures[0].actual_version == 2u);
    BOOST_TEST(verdict.failures[1].stream == 1u);
    BOOST_TEST(*verdict.failures[1].actual_version == 1u);
  }
}

BOOST_AUTO_TEST_CASE(untimed_events_follow_the_heads_last_created_and_earlier_times_are_refused) {
  store_fixture f("atomic-times");
  f.run(f.store.init());
  // A stream whose latest event is an hour ahead (another writer's clock).
  const timestamp ahead =
      std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now()) +
      std::chrono::hours(1);
  event late = make_event("account", "t", "step");
  late.created = ahead;
  f.run(f.store.append({late}));
  atomic_append request;
  request.writes.push_back(write_of("t", stream_expectation::exactly(1), steps(2, "t")));
  request.writes.push_back(write_of("u", stream_expectation::none(), steps(1, "u")));
  const std::vector<event> stored = append_atomic(f, request);
  BOOST_TEST_REQUIRE(stored.size() == 3u);
  BOOST_CHECK(stored[0].created == ahead);
  BOOST_CHECK(stored[1].created == ahead);
  BOOST_CHECK(*stored[2].created < ahead);
  const std::vector<event> t = f.run(f.store.stream_events("account", "t", {}));
  BOOST_TEST_REQUIRE(t.size() == 3u);
  BOOST_CHECK(t[2].created == ahead);

  atomic_append earlier;
  std::vector<event> events = steps(1, "t");
  events[0].created = ahead - std::chrono::minutes(1);
  earlier.writes.push_back(write_of("t", stream_expectation::anything(), std::move(events)));
  earlier.writes.push_back(write_of("v", stream_expectation::none(), steps(1, "v")));
  try {
    append_atomic(f, earlier);
    BOOST_FAIL("expected invalid_event");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == store_errc::invalid_event);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("account", "t")) == 3u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "v")) == 0u);
}

BOOST_AUTO_TEST_CASE(large_payloads_are_offloaded_and_read_back) {
  store_fixture f("atomic-offload");
  f.run(f.store.init());
  atomic_append request;
  std::vector<event> big = steps(2, "big");
  big[1].payload_json = "{\"blob\":\"" + std::string(500'000, 'q') + "\"}";
  request.writes.push_back(write_of("o", stream_expectation::none(), big));
  request.writes.push_back(write_of("p", stream_expectation::none(), steps(1, "p")));
  append_atomic(f, request);
  const std::vector<event> o = f.run(f.store.stream_events("account", "o", {}));
  BOOST_TEST_REQUIRE(o.size() == 2u);
  BOOST_TEST(o[1].payload_json == big[1].payload_json);
  std::size_t objects = 0;
  for (const auto& object : f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "")))
    objects += object.key.find("events/") == 0;
  BOOST_TEST(objects == 1u);
}

BOOST_AUTO_TEST_CASE(a_resend_after_a_lost_answer_is_stored_once) {
  store_fixture f("atomic-resend");
  two_streams(f);
  // Every TransactWriteItems is applied and its answer dropped; nothing else is faulted.
  evstore::test::fault_proxy_options proxy_options;
  proxy_options.upstream_url = evstore::test::dynamodb_url();
  proxy_options.fault_share = 1.0;
  proxy_options.kinds = {evstore::test::fault_kind::dropped_transaction};
  evstore::test::fault_proxy proxy(proxy_options);
  aws::config config = evstore::test::local_config();
  config.service_endpoint_urls["dynamodb"] = proxy.url();
  repo_options options = f.options;
  options.skip_table_creation = true;
  options.skip_bucket_creation = true;
  options.request_timeout = std::chrono::milliseconds(2'000);
  repo faulted(f.io.get_executor(), config, options);

  atomic_append request;
  std::vector<event> a = steps(2, "a1");
  a[0].id = "resend-a-1";
  request.writes.push_back(write_of("a", stream_expectation::exactly(2), std::move(a)));
  request.writes.push_back(write_of("b", stream_expectation::exactly(1), steps(1, "b1")));
  request.checks.push_back(check_of("n", stream_expectation::none()));
  // The service client resends with the call's token and loses every answer; the read-back
  // finds the call applied.
  const std::vector<event> stored = f.run(faulted.append_atomic(request));
  BOOST_TEST(proxy.count(evstore::test::fault_kind::dropped_transaction) > 0u,
             proxy.counts().summary());
  BOOST_TEST_REQUIRE(stored.size() == 3u);
  for (const event& e : stored) BOOST_TEST(copies_of(f, e.id) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a")) == 4u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 2u);

  // Sent again as a caller would after a lost answer (same ids, through the same lossy
  // proxy): recognised as stored, nothing new written, the stored events returned.
  atomic_append again = request;
  std::size_t p = 0;
  for (atomic_stream_write& write : again.writes)
    for (event& e : write.events) e.id = stored[p++].id;
  const std::vector<event> resent = f.run(faulted.append_atomic(again));
  BOOST_TEST_REQUIRE(resent.size() == 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(resent[i].sequence == stored[i].sequence);
    BOOST_CHECK(resent[i].created == stored[i].created);
  }
  for (const event& e : stored) BOOST_TEST(copies_of(f, e.id) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a")) == 4u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 2u);
}

BOOST_AUTO_TEST_CASE(ids_stored_by_another_call_are_refused_and_nothing_is_written) {
  store_fixture f("atomic-dup");
  f.run(f.store.init());
  event stored = make_event("account", "a", "step", R"({"n":1})");
  stored.id = "dup-1";
  stored.created = evstore::test::utc("2026-03-01T00:00:00.000Z");
  f.run(f.store.append({stored}));
  // The same event beside a new one: stored whole or not at all, so not a resend of this call.
  atomic_append partly;
  partly.writes.push_back(write_of("a", stream_expectation::anything(), {stored}));
  partly.writes.push_back(write_of("b", stream_expectation::none(), steps(1, "b")));
  try {
    append_atomic(f, partly);
    BOOST_FAIL("expected an append_error");
  } catch (const append_error& error) {
    BOOST_CHECK(error.code() == store_errc::duplicate_event);
    BOOST_TEST(std::string(error.what()).find("'dup-1' is already stored") != std::string::npos,
               error.what());
    BOOST_TEST(error.written_events().empty());
  }
  // The id with other content.
  atomic_append other;
  event changed = stored;
  changed.payload_json = R"({"n":2})";
  other.writes.push_back(write_of("a", stream_expectation::anything(), {changed}));
  BOOST_CHECK_THROW(append_atomic(f, other), duplicate_event_error);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "b")) == 0u);
  BOOST_TEST(copies_of(f, "dup-1") == 1u);
}

BOOST_AUTO_TEST_CASE(eight_racing_writers_over_overlapping_streams_keep_every_stream_contiguous) {
  store_fixture f("atomic-race");
  f.run(f.store.init());
  constexpr std::size_t writers = 8;
  constexpr std::size_t rounds = 12;
  constexpr std::size_t stream_count = 5;
  struct acknowledged {
    std::string id;
    std::string stream;
    std::uint64_t sequence;
    std::string payload;
  };
  std::vector<acknowledged> acks;
  std::size_t conflicts = 0;
  const auto writer = [&](std::size_t w) -> boost::asio::awaitable<void> {
    for (std::size_t r = 0; r < rounds; ++r) {
      // Streams w % 5 and (w + r) % 5 + (1 if equal): always two, overlapping other writers'.
      const std::size_t first = w % stream_count;
      std::size_t second = (w + r + 1) % stream_count;
      if (second == first) second = (second + 1) % stream_count;
      atomic_append request;
      const std::string tag = "w" + std::to_string(w) + "r" + std::to_string(r);
      const std::uint64_t version =
          co_await f.store.stream_sequence("race", "s" + std::to_string(first));
      for (const std::size_t s : {first, second}) {
        std::vector<event> events = steps(1 + (r + s) % 3, tag + "s" + std::to_string(s));
        atomic_stream_write write{
            "race", "s" + std::to_string(s),
            s == first ? stream_expectation::exactly(version) : stream_expectation::anything(),
            std::move(events)};
        request.writes.push_back(std::move(write));
      }
      try {
        const std::vector<event> stored = co_await f.store.append_atomic(std::move(request));
        for (const event& e : stored)
          acks.push_back({e.id, e.identifier.value_or(""), e.sequence, e.payload_json});
      } catch (const atomic_conflict_error& error) {
        ++conflicts;
        // Only the first stream has an exact expectation; the others take any version.
        BOOST_TEST_REQUIRE(error.conflicts().size() == 1u);
        BOOST_TEST(error.conflicts()[0].identifier == "s" + std::to_string(first));
        BOOST_TEST(error.conflicts()[0].actual > version);
      }
    }
  };
  f.run(evstore::test::for_each_concurrently(writers, writers, writer), std::chrono::seconds(240));
  BOOST_TEST_MESSAGE("acknowledged events " << acks.size() << ", conflicts " << conflicts);
  BOOST_TEST(acks.size() > 0u);
  // Some calls found the heads moved between their read and their transaction: the
  // transaction's conditions (not the read) caught them, replanned or reported.
  std::size_t cancelled = 0;
  for (const std::string& line : f.log_lines(log_level::debug))
    cancelled += line.find("atomic append cancelled") != std::string::npos;
  BOOST_TEST(cancelled > 0u);
  std::map<std::string, const acknowledged*> by_id;
  for (const acknowledged& a : acks) by_id[a.id] = &a;
  std::size_t read = 0;
  for (std::size_t s = 0; s < stream_count; ++s) {
    const std::string identifier = "s" + std::to_string(s);
    const std::vector<event> events = f.run(f.store.stream_events("race", identifier, {}));
    BOOST_TEST_CONTEXT("stream " << identifier) {
      BOOST_TEST(f.run(f.store.stream_sequence("race", identifier)) == events.size());
      for (std::size_t i = 0; i < events.size(); ++i) {
        BOOST_TEST(events[i].sequence == i + 1);
        const auto found = by_id.find(events[i].id);
        BOOST_TEST_REQUIRE((found != by_id.end()), "stored but never acknowledged");
        BOOST_TEST(found->second->sequence == events[i].sequence);
        BOOST_TEST(found->second->payload == events[i].payload_json);
        BOOST_TEST(found->second->stream == identifier);
        if (i > 0) BOOST_CHECK(*events[i - 1].created <= *events[i].created);
      }
    }
    read += events.size();
  }
  BOOST_TEST(read == acks.size());
  for (const acknowledged& a : acks) BOOST_TEST(copies_of(f, a.id) == 1u);
}

BOOST_AUTO_TEST_CASE(racing_writers_under_faults_store_each_call_whole_or_not_at_all) {
  store_fixture f("atomic-faults");
  f.run(f.store.init());
  evstore::test::fault_settings settings;
  settings.seed = evstore::test::fault_seed(1313);
  evstore::test::faulted_store faulted(f, settings);
  constexpr std::size_t writers = 4;
  constexpr std::size_t rounds = 6;
  constexpr std::size_t stream_count = 4;
  struct call_record {
    std::vector<std::string> ids;
    bool acknowledged = false;
    std::string error;
  };
  std::vector<call_record> calls(writers * rounds);
  const auto writer = [&](std::size_t w) -> boost::asio::awaitable<void> {
    for (std::size_t r = 0; r < rounds; ++r) {
      call_record& record = calls[w * rounds + r];
      atomic_append request;
      for (const std::size_t s : {w % stream_count, (w + r + 1) % stream_count}) {
        if (!request.writes.empty() && request.writes[0].identifier == "f" + std::to_string(s))
          continue;
        std::vector<event> events =
            steps(1 + (r + s) % 2,
                  "w" + std::to_string(w) + "r" + std::to_string(r) + "s" + std::to_string(s));
        for (std::size_t i = 0; i < events.size(); ++i) {
          // Caller-chosen ids, so a call in doubt is settled by sending it again.
          events[i].id = "w" + std::to_string(w) + "-r" + std::to_string(r) + "-s" +
                         std::to_string(s) + "-" + std::to_string(i);
          record.ids.push_back(events[i].id);
        }
        request.writes.push_back(
            {"race", "f" + std::to_string(s), stream_expectation::anything(), std::move(events)});
      }
      for (int sends = 0; sends < 4 && !record.acknowledged; ++sends) {
        atomic_append attempt = request;
        try {
          co_await faulted.store.append_atomic(std::move(attempt));
          record.acknowledged = true;
        } catch (const append_error& error) {
          record.error = error.what();
          BOOST_TEST(error.written_events().empty(), error.what());
        }
      }
    }
  };
  f.run(evstore::test::for_each_concurrently(writers, writers, writer), std::chrono::seconds(300));
  std::size_t acknowledged = 0;
  for (const call_record& c : calls) acknowledged += c.acknowledged;
  BOOST_TEST_MESSAGE("calls acknowledged " << acknowledged << " of " << calls.size() << "; "
                                           << faulted.fault_summary() << "; seed "
                                           << settings.seed);
  BOOST_TEST(acknowledged > 0u);

  std::map<std::string, event> stored;
  for (std::size_t s = 0; s < stream_count; ++s) {
    const std::string identifier = "f" + std::to_string(s);
    const std::vector<event> events = f.run(f.store.stream_events("race", identifier, {}));
    BOOST_TEST_CONTEXT("stream " << identifier) {
      BOOST_TEST(f.run(f.store.stream_sequence("race", identifier)) == events.size());
      for (std::size_t i = 0; i < events.size(); ++i) {
        BOOST_TEST(events[i].sequence == i + 1);
        stored.emplace(events[i].id, events[i]);
      }
    }
  }
  // Each call whole or not at all: acknowledged ones whole, once; the others whole or absent.
  std::size_t accounted = 0;
  for (const call_record& c : calls) {
    std::size_t present = 0;
    for (const std::string& id : c.ids) {
      present += stored.count(id);
      BOOST_TEST(copies_of(f, id) <= 1u);
    }
    BOOST_TEST_CONTEXT("call of " << c.ids.front() << (c.acknowledged ? "" : ": " + c.error)) {
      BOOST_TEST((present == 0 || present == c.ids.size()), present << " of " << c.ids.size());
      if (c.acknowledged) BOOST_TEST(present == c.ids.size());
    }
    accounted += present;
  }
  BOOST_TEST(accounted == stored.size(), "events stored that no call wrote");
  BOOST_TEST(faulted.dynamodb_proxy.counts().faults() > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
