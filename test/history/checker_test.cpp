// The history checker's own logic on made-up histories and tables: a table that agrees with the
// history passes, and each kind of anomaly is reported when (and only when) it is there.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "checker.hpp"

BOOST_AUTO_TEST_SUITE(checker_test)

using namespace evstore;
using namespace evstore::history;

namespace {

sent_event sent(const std::string& tag, std::size_t stream, const std::string& id = "") {
  sent_event e;
  e.tag = tag;
  e.id = id;
  e.identifier = stream_identifier(stream);
  e.type = "changed";
  e.payload_json = R"({"tag":")" + tag + R"(","stream":")" + stream_key(domain, e.identifier) +
                   R"(","type":"changed","pad":""})";
  e.meta_json = R"({"tag":")" + tag + "\"}";
  return e;
}

event stored(const sent_event& s, const std::string& id, std::uint64_t sequence, int millisecond) {
  event e = to_event(s);
  e.id = id;
  e.sequence = sequence;
  e.created = parse_iso8601("2026-12-04T10:00:00.000Z") + std::chrono::milliseconds(millisecond);
  return e;
}

call_record call(std::string name, std::optional<std::uint64_t> expected,
                 std::vector<sent_event> events, outcome result) {
  call_record c;
  c.call = std::move(name);
  c.writer = "c0";
  c.stream = "h::s1";
  c.expected = expected;
  c.fresh_ids = !events.front().id.empty();
  c.events = std::move(events);
  c.result = result;
  return c;
}

/// Two acknowledged calls to stream 1 and one refused (concurrency) call, and a table holding
/// exactly what the acknowledged calls returned.
struct scenario {
  std::vector<call_record> calls;
  final_state table;

  scenario() {
    call_record first = call("c0#0", 0, {sent("a", 1, "id-a"), sent("b", 1, "id-b")}, outcome::ok);
    call_record second = call("c0#1", std::nullopt, {sent("c", 1)}, outcome::ok);
    call_record refused = call("c0#2", 0, {sent("d", 1, "id-d")}, outcome::concurrency_error);
    const std::vector<event> events{stored(first.events[0], "id-a", 1, 0),
                                    stored(first.events[1], "id-b", 2, 0),
                                    stored(second.events[0], "gen-c", 3, 1)};
    for (std::size_t i = 0; i < 2; ++i)
      first.returned.push_back(
          {events[i].id, first.events[i].tag, events[i].sequence, created_text(events[i])});
    second.returned.push_back({"gen-c", "c", 3, created_text(events[2])});
    calls = {first, second, refused};
    for (const event& e : events) add(e);
    table.heads["h::s1"] = 3;
    table.stream_reads["h::s1"] = events;
    table.gets["id-a"] = events[0];
    table.resumes.push_back({0, {events[1], events[2]}, true});
  }

  void add(const event& e) {
    table.items.push_back({e.id, created_text(e), e.sequence, stream_key(e.domain, e.identifier)});
    table.replayed.push_back(e);
  }

  std::vector<std::string> kinds(const std::vector<observation>& seen = {}) {
    checker check(calls);
    std::vector<std::string> found;
    for (const anomaly& a : check.check(table, seen)) found.push_back(a.kind);
    return found;
  }
};

bool has(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(history_checker_logic)

BOOST_AUTO_TEST_CASE(a_table_that_agrees_with_the_history_passes) {
  scenario s;
  const std::vector<std::string> kinds =
      s.kinds({{"id-b", "b", 2, created_text(s.table.replayed[1]), "replay"}});
  BOOST_TEST(kinds.empty(), kinds.size()
                                << " anomalies, first: " << (kinds.empty() ? "" : kinds.front()));
}

BOOST_AUTO_TEST_CASE(an_id_held_by_two_items_is_reported) {
  scenario s;
  event copy = s.table.replayed[0];
  copy.created = *copy.created + std::chrono::milliseconds(5);
  copy.sequence = 4;
  s.add(copy);
  s.table.heads["h::s1"] = 4;
  const auto kinds = s.kinds();
  BOOST_TEST(has(kinds, "id stored more than once"));
  BOOST_TEST(has(kinds, "event stored more than once"));
  BOOST_TEST(has(kinds, "acknowledged event not stored once"));
}

BOOST_AUTO_TEST_CASE(an_event_of_a_call_told_not_written_is_reported) {
  scenario s;
  s.add(stored(s.calls[2].events[0], "id-d", 4, 2));
  s.table.heads["h::s1"] = 4;
  BOOST_TEST(has(s.kinds(), "written although the call was told not written"));
}

BOOST_AUTO_TEST_CASE(an_event_of_a_call_failed_without_outcome_unknown_is_reported) {
  scenario s;
  s.calls[2].result = outcome::other;
  s.add(stored(s.calls[2].events[0], "id-d", 4, 2));
  s.table.heads["h::s1"] = 4;
  BOOST_TEST(has(s.kinds(), "written although the call failed without outcome_unknown"));
  s.calls[2].result = outcome::outcome_unknown;
  s.table.stream_reads["h::s1"].push_back(s.table.replayed.back());
  s.table.resumes.front().events.push_back(s.table.replayed.back());
  const auto kinds = s.kinds();
  BOOST_TEST(kinds.empty(), kinds.size() << " anomalies, first: " << kinds.front());
}

BOOST_AUTO_TEST_CASE(an_event_no_call_sent_is_reported) {
  scenario s;
  s.add(stored(sent("zz", 1, "id-z"), "id-z", 4, 2));
  s.table.heads["h::s1"] = 4;
  BOOST_TEST(has(s.kinds(), "stored event no call sent"));
}

BOOST_AUTO_TEST_CASE(gaps_and_a_wrong_head_are_reported) {
  scenario s;
  s.table.items[2].sequence = 4;
  s.table.replayed[2].sequence = 4;
  const auto kinds = s.kinds();
  BOOST_TEST(has(kinds, "stream sequences not 1..n"));
  BOOST_TEST(has(s.kinds(), "acknowledged event changed"));
  scenario other;
  other.table.heads["h::s1"] = 5;
  BOOST_TEST(has(other.kinds(), "head version differs from the stream's events"));
}

BOOST_AUTO_TEST_CASE(replay_order_against_a_stream_is_reported) {
  scenario s;
  std::swap(s.table.replayed[0], s.table.replayed[1]);
  BOOST_TEST(has(s.kinds(), "replay order contradicts a stream's order"));
}

BOOST_AUTO_TEST_CASE(a_replay_missing_or_repeating_an_event_is_reported) {
  scenario s;
  s.table.replayed.pop_back();
  BOOST_TEST(has(s.kinds(), "replay missed an event"));
  scenario twice;
  twice.table.replayed.push_back(twice.table.replayed.back());
  BOOST_TEST(has(twice.kinds(), "replay returned an event twice"));
}

BOOST_AUTO_TEST_CASE(changed_or_mixed_content_is_reported) {
  scenario s;
  s.table.replayed[1].payload_json = R"({"tag":"b","stream":"h::s1","type":"changed","pad":"x"})";
  BOOST_TEST(has(s.kinds(), "stored content differs from what was sent"));
  scenario mixed;
  mixed.table.replayed[1].type = "opened";
  BOOST_TEST(has(mixed.kinds(), "mixed or empty event in the final replay"));
}

BOOST_AUTO_TEST_CASE(reads_that_disagree_with_the_replay_are_reported) {
  scenario s;
  s.table.stream_reads["h::s1"].pop_back();
  s.table.gets["id-a"]->sequence = 7;
  s.table.resumes.front().events.pop_back();
  const auto kinds = s.kinds();
  BOOST_TEST(has(kinds, "stream read differs from the table"));
  BOOST_TEST(has(kinds, "get differs from replay"));
  BOOST_TEST(has(kinds, "resumed replay is not the rest"));
}

BOOST_AUTO_TEST_CASE(an_acknowledgement_the_table_contradicts_is_reported) {
  scenario s;
  s.calls[0].returned[1].sequence = 3;
  s.calls[0].returned[0].sequence = 2;
  const auto kinds = s.kinds();
  BOOST_TEST(has(kinds, "acknowledged event changed"));
  BOOST_TEST(has(kinds, "expected sequence not honoured"));
  scenario other;
  other.calls[0].returned[1].tag = "a";
  BOOST_TEST(has(other.kinds(), "acknowledged with other content"));
}

BOOST_AUTO_TEST_CASE(a_concurrent_read_of_what_the_table_lacks_is_reported) {
  scenario s;
  BOOST_TEST(has(s.kinds({{"id-q", "q", 1, "2026-12-04T10:00:00.000Z", "replay"}}),
                 "a concurrent read saw what the table does not hold"));
}

BOOST_AUTO_TEST_CASE(history_lines_round_trip_and_unended_calls_are_unfinished) {
  scenario s;
  const std::string text =
      begin_line(s.calls[0]) + "\n" + end_line(s.calls[0]) + "\n" + begin_line(s.calls[2]) + "\n";
  const std::vector<call_record> read = read_history_lines(text);
  BOOST_TEST_REQUIRE(read.size() == 2u);
  BOOST_TEST(read[0].call == "c0#0");
  BOOST_TEST((read[0].result == outcome::ok));
  BOOST_TEST(read[0].returned.size() == 2u);
  BOOST_TEST(read[0].returned[1].created == s.calls[0].returned[1].created);
  BOOST_TEST(read[0].events[1].payload_json == s.calls[0].events[1].payload_json);
  BOOST_TEST((read[0].expected == std::optional<std::uint64_t>(0)));
  BOOST_TEST((read[1].result == outcome::unfinished));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
