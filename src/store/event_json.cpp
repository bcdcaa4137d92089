#include "evstore/store/event_json.hpp"

#include <charconv>
#include <set>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "json_text.hpp"

namespace evstore {
namespace {

[[noreturn]] void reject(std::string_view what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "event JSON: " + std::string(what));
}

/// JSON text on one line. In valid JSON a line break can only be whitespace between tokens
/// (strings carry them escaped), so it becomes a space: the text is otherwise kept exactly,
/// numbers and key order included.
void append_single_line(std::string& out, std::string_view json) {
  const std::size_t start = out.size();
  out += json;
  for (std::size_t i = start; i < out.size(); ++i)
    if (out[i] == '\r' || out[i] == '\n') out[i] = ' ';
}

void append_member(std::string& out, std::string_view name) {
  if (out.size() > 1) out += ',';
  out += '"';
  out += name;
  out += "\":";
}

void append_string_member(std::string& out, std::string_view name,
                          const std::optional<std::string>& value) {
  if (!value) return;
  append_member(out, name);
  detail::append_json_string(out, *value);
}

std::optional<std::string> optional_string(std::string_view name, std::string_view raw) {
  const detail::json_kind kind = detail::classify_json(raw);
  if (kind == detail::json_kind::null) return std::nullopt;
  if (kind != detail::json_kind::string)
    reject("member '" + std::string(name) + "' must be a string or null");
  return detail::unescape_json_string(raw);
}

std::string required_string(std::string_view name, std::string_view raw) {
  if (detail::classify_json(raw) != detail::json_kind::string)
    reject("member '" + std::string(name) + "' must be a string");
  return detail::unescape_json_string(raw);
}

std::uint64_t parse_sequence(std::string_view raw) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), value);
  if (ec != std::errc{} || end != raw.data() + raw.size())
    reject("member 'sequence' must be a non-negative integer");
  return value;
}

}  // namespace

std::string to_json_line(const event& e) {
  std::string out = "{";
  append_string_member(out, "id", e.id);
  append_string_member(out, "domain", e.domain);
  append_string_member(out, "type", e.type);
  append_string_member(out, "identifier", e.identifier);
  append_member(out, "payload");
  append_single_line(out, e.payload_json);
  if (e.meta_json) {
    append_member(out, "meta");
    append_single_line(out, *e.meta_json);
  }
  append_string_member(out, "correlationId", e.correlation_id);
  append_string_member(out, "causationId", e.causation_id);
  if (e.created) append_string_member(out, "created", format_iso8601(*e.created));
  if (e.sequence > 0) {
    append_member(out, "sequence");
    out += std::to_string(e.sequence);
  }
  out += '}';
  return out;
}

event event_from_json(std::string_view json_text) {
  const detail::json_kind kind = detail::classify_json(json_text);
  if (kind == detail::json_kind::invalid)
    reject("not valid JSON (or not UTF-8, or a number beyond a double's range)");
  if (kind != detail::json_kind::object) reject("an event must be a JSON object");

  event e;
  bool has_domain = false;
  bool has_type = false;
  bool has_payload = false;
  std::set<std::string, std::less<>> seen;
  for (const auto& [name, raw] : detail::object_members(json_text)) {
    if (!seen.insert(name).second) reject("member '" + name + "' appears twice");
    if (name == "id") {
      e.id = optional_string(name, raw).value_or("");
    } else if (name == "domain") {
      e.domain = required_string(name, raw);
      has_domain = true;
    } else if (name == "type") {
      e.type = required_string(name, raw);
      has_type = true;
    } else if (name == "identifier") {
      e.identifier = optional_string(name, raw);
    } else if (name == "payload") {
      e.payload_json = std::string(raw);
      has_payload = true;
    } else if (name == "meta") {
      const detail::json_kind meta_kind = detail::classify_json(raw);
      if (meta_kind == detail::json_kind::object)
        e.meta_json = std::string(raw);
      else if (meta_kind != detail::json_kind::null)
        reject("member 'meta' must be an object or null");
    } else if (name == "correlationId") {
      e.correlation_id = optional_string(name, raw);
    } else if (name == "causationId") {
      e.causation_id = optional_string(name, raw);
    } else if (name == "created") {
      if (const auto created = optional_string(name, raw)) {
        try {
          e.created = parse_iso8601(*created);
        } catch (const boost::system::system_error&) {
          reject(
              "member 'created' must be an ISO-8601 time such as 2024-05-01T12:34:56.789Z, "
              "not '" +
              *created + "'");
        }
      }
    } else if (name == "sequence") {
      if (detail::classify_json(raw) != detail::json_kind::null) e.sequence = parse_sequence(raw);
    }
  }
  if (!has_domain) reject("member 'domain' is required");
  if (!has_type) reject("member 'type' is required");
  if (!has_payload) reject("member 'payload' is required");
  return e;
}

}  // namespace evstore
