#pragma once
// The history of a checker run (in the spirit of Jepsen's Elle): every append call with what it
// sent and what it was told, as the writers (coroutines and processes) record it, and the
// events' own marks that let a reader see whether an event is whole without the history.
//
// Every event the workload sends carries a tag, unique per content: its payload is
// {"tag":T,"stream":"<domain>::<identifier>","type":TYPE,...} and its meta {"tag":T}. A resend
// of the same event keeps its tag; the same id with other content gets a new tag.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "evstore/store/event.hpp"
#include "evstore/store/time.hpp"

namespace evstore::history {

inline constexpr std::string_view domain = "h";
/// Few streams, so writers race on them.
inline constexpr std::size_t stream_count = 5;

/// Stream 0 has no identifier.
inline std::optional<std::string> stream_identifier(std::size_t s) {
  if (s == 0) return std::nullopt;
  return "s" + std::to_string(s);
}
/// "<domain>::<identifier>", identifier empty when absent (the order decision's stream key).
inline std::string stream_key(std::string_view event_domain,
                              const std::optional<std::string>& identifier) {
  return std::string(event_domain) + "::" + identifier.value_or("");
}

enum class outcome {
  ok,
  concurrency_error,
  duplicate,
  outcome_unknown,
  invalid,
  other,
  unfinished,  ///< a process ended (or was killed) before it recorded the call's end
};
inline constexpr std::size_t outcome_count = 7;

inline std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::ok:
      return "ok";
    case outcome::concurrency_error:
      return "concurrency_error";
    case outcome::duplicate:
      return "duplicate";
    case outcome::outcome_unknown:
      return "outcome_unknown";
    case outcome::invalid:
      return "invalid";
    case outcome::other:
      return "other";
    case outcome::unfinished:
      return "unfinished";
  }
  return "?";
}

inline outcome outcome_from(std::string_view text) {
  for (std::size_t k = 0; k < outcome_count; ++k)
    if (to_string(static_cast<outcome>(k)) == text) return static_cast<outcome>(k);
  return outcome::other;
}

/// The store promised that nothing of the call was written.
inline bool definitely_not_written(outcome o) {
  return o == outcome::concurrency_error || o == outcome::duplicate || o == outcome::invalid;
}

/// One event as a call sent it.
struct sent_event {
  std::string tag;
  std::string id;  ///< empty: the store chooses one
  std::optional<std::string> identifier;
  std::string type;
  std::string payload_json;
  std::string meta_json;
};

/// One event as an acknowledged call returned it.
struct returned_event {
  std::string id;
  std::string tag;  ///< from the returned payload
  std::uint64_t sequence = 0;
  std::string created;
};

struct call_record {
  std::string call;  ///< "<writer>#<n>", a resend "<writer>#<n>r<k>"
  std::string writer;
  std::string stream;
  std::optional<std::uint64_t> expected;
  /// Every event's id chosen by the caller, none reused: the expected sequence must be met
  /// exactly (the call's events take expected + 1 ..).
  bool fresh_ids = false;
  std::vector<sent_event> events;
  outcome result = outcome::unfinished;
  std::vector<returned_event> returned;
  std::string error;
};

inline event to_event(const sent_event& sent) {
  event e;
  e.id = sent.id;
  e.domain = std::string(domain);
  e.identifier = sent.identifier;
  e.type = sent.type;
  e.payload_json = sent.payload_json;
  e.meta_json = sent.meta_json;
  return e;
}

inline std::optional<boost::json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(text, ec);
  if (ec) return std::nullopt;
  return value;
}

/// Checks an event read back against the marks it carries: whole (id, type, sequence, created,
/// payload and meta that parse) and not mixed (payload's stream and type, meta's tag agree with
/// the event). Returns the problem, or nullopt and sets `tag`.
inline std::optional<std::string> self_check(const event& e, std::string& tag) {
  if (e.id.empty()) return "empty id";
  if (e.type.empty()) return "empty type";
  if (e.domain != domain) return "domain '" + e.domain + "'";
  if (e.sequence == 0) return "no sequence";
  if (!e.created) return "no created";
  const std::optional<boost::json::value> payload = parse_json(e.payload_json);
  if (!payload || !payload->is_object())
    return "payload not a JSON object: " + e.payload_json.substr(0, 80);
  const boost::json::object& p = payload->as_object();
  const auto text_of = [](const boost::json::object& o, std::string_view key) -> std::string {
    const boost::json::value* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  tag = text_of(p, "tag");
  if (tag.empty()) return "payload without tag";
  if (text_of(p, "stream") != stream_key(e.domain, e.identifier))
    return "payload of stream " + text_of(p, "stream") + " in event of stream " +
           stream_key(e.domain, e.identifier);
  if (text_of(p, "type") != e.type)
    return "payload of type " + text_of(p, "type") + ", event type " + e.type;
  const std::optional<boost::json::value> meta = parse_json(e.meta_json.value_or(""));
  if (!meta || !meta->is_object()) return "meta not a JSON object";
  if (text_of(meta->as_object(), "tag") != tag) return "meta tag differs from payload tag " + tag;
  if (e.correlation_id || e.causation_id) return "correlation or causation id never sent";
  return std::nullopt;
}

/// The stored event has exactly the content sent (id, created and sequence aside).
inline bool same_content(const event& stored, const sent_event& sent) {
  return stored.domain == domain &&
         stored.identifier.value_or("") == sent.identifier.value_or("") &&
         stored.type == sent.type &&
         parse_json(stored.payload_json) == parse_json(sent.payload_json) &&
         parse_json(stored.meta_json.value_or("")) == parse_json(sent.meta_json) &&
         !stored.correlation_id && !stored.causation_id;
}

// Processes write their history as JSON Lines: a "begin" line before each call (what it sends)
// and an "end" line after (what it was told), so a call cut short still counts as sent.

inline std::string begin_line(const call_record& call) {
  boost::json::object line{{"kind", "begin"},
                           {"call", call.call},
                           {"writer", call.writer},
                           {"stream", call.stream},
                           {"freshIds", call.fresh_ids}};
  if (call.expected) line["expected"] = *call.expected;
  boost::json::array events;
  for (const sent_event& e : call.events) {
    boost::json::object o{{"tag", e.tag},
                          {"id", e.id},
                          {"type", e.type},
                          {"payload", e.payload_json},
                          {"meta", e.meta_json}};
    if (e.identifier) o["identifier"] = *e.identifier;
    events.push_back(std::move(o));
  }
  line["events"] = std::move(events);
  return boost::json::serialize(line);
}

inline std::string end_line(const call_record& call) {
  boost::json::object line{{"kind", "end"},
                           {"call", call.call},
                           {"outcome", to_string(call.result)},
                           {"error", call.error}};
  boost::json::array returned;
  for (const returned_event& r : call.returned)
    returned.push_back(boost::json::object{
        {"id", r.id}, {"tag", r.tag}, {"sequence", r.sequence}, {"created", r.created}});
  line["returned"] = std::move(returned);
  return boost::json::serialize(line);
}

/// Reads a process's history file; calls begun but not ended are `unfinished`. Throws
/// std::runtime_error on a line it cannot read (the file is the checker's own format).
inline std::vector<call_record> read_history_lines(std::string_view text) {
  std::vector<call_record> calls;
  std::map<std::string, std::size_t, std::less<>> by_call;
  const auto str = [](const boost::json::object& o, std::string_view key) {
    return std::string(o.at(key).as_string());
  };
  while (!text.empty()) {
    const auto end = text.find('\n');
    const std::string_view line_text = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line_text.empty()) continue;
    const std::optional<boost::json::value> parsed = parse_json(line_text);
    if (!parsed || !parsed->is_object())
      throw std::runtime_error("history file: bad line " + std::string(line_text.substr(0, 200)));
    const boost::json::object& line = parsed->as_object();
    if (str(line, "kind") == "begin") {
      call_record call;
      call.call = str(line, "call");
      call.writer = str(line, "writer");
      call.stream = str(line, "stream");
      call.fresh_ids = line.at("freshIds").as_bool();
      if (const boost::json::value* expected = line.if_contains("expected"))
        call.expected = expected->to_number<std::uint64_t>();
      for (const boost::json::value& v : line.at("events").as_array()) {
        const boost::json::object& o = v.as_object();
        sent_event e{str(o, "tag"),  str(o, "id"),      std::nullopt,
                     str(o, "type"), str(o, "payload"), str(o, "meta")};
        if (o.contains("identifier")) e.identifier = str(o, "identifier");
        call.events.push_back(std::move(e));
      }
      by_call[call.call] = calls.size();
      calls.push_back(std::move(call));
    } else {
      const auto found = by_call.find(str(line, "call"));
      if (found == by_call.end())
        throw std::runtime_error("history file: end without begin " + str(line, "call"));
      call_record& call = calls[found->second];
      call.result = outcome_from(str(line, "outcome"));
      call.error = str(line, "error");
      for (const boost::json::value& v : line.at("returned").as_array()) {
        const boost::json::object& o = v.as_object();
        call.returned.push_back({str(o, "id"), str(o, "tag"),
                                 o.at("sequence").to_number<std::uint64_t>(), str(o, "created")});
      }
    }
  }
  return calls;
}

}  // namespace evstore::history
