#include "evstore/store/validation.hpp"

#include <limits>
#include <string>
#include <string_view>
#include <unordered_set>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/uuid.hpp"
#include "json_text.hpp"
#include "store/item_codec.hpp"

namespace evstore {
namespace {

/// `text` with control characters as \xNN: a message stays one line, and a NUL does not cut
/// it short.
std::string printable(std::string_view text) {
  static constexpr char hex_digits[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out += hex_digits[u >> 4];
      out += hex_digits[u & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

[[noreturn]] void reject(const event& e, std::size_t position, std::string_view what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "event " + std::to_string(position + 1) +
                                        (e.id.empty() ? "" : " (id '" + printable(e.id) + "')") +
                                        " is invalid: " + std::string(what) +
                                        "; nothing was written");
}

bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      length = 2;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      length = 3;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      length = 4;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    const bool overlong = (length == 2 && code < 0x80) || (length == 3 && code < 0x800) ||
                          (length == 4 && code < 0x10000);
    if (overlong || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += length;
  }
  return true;
}

bool has_control_char(std::string_view text) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

void check_text(const event& e, std::size_t position, std::string_view field,
                std::string_view value) {
  if (!is_utf8(value)) reject(e, position, std::string(field) + " is not valid UTF-8");
}

bool offloaded_object_fits(const event& e) {
  // Escaped, a byte of a string member takes at most 6 ("\u001f"); the rest of the object
  // (member names, quotes, time and sequence) takes less than 256 bytes. Only an event this
  // bound does not clear is measured exactly.
  std::size_t text_bytes = e.id.size() + e.domain.size() + e.type.size();
  for (const std::optional<std::string>* text : {&e.identifier, &e.correlation_id, &e.causation_id})
    if (*text) text_bytes += (*text)->size();
  const std::size_t json_bytes = e.payload_json.size() + (e.meta_json ? e.meta_json->size() : 0);
  if (json_bytes + 6 * text_bytes + 256 <= max_offloaded_object_bytes) return true;
  return offloaded_object_size(e) <= max_offloaded_object_bytes;
}

}  // namespace

std::size_t offloaded_object_size(const event& e) {
  // Payload and meta are written as they are (line breaks become spaces): measure the rest
  // without copying them.
  event rest;
  rest.id = e.id;
  rest.domain = e.domain;
  rest.type = e.type;
  rest.identifier = e.identifier;
  rest.payload_json.clear();
  if (e.meta_json) rest.meta_json.emplace();
  rest.correlation_id = e.correlation_id;
  rest.causation_id = e.causation_id;
  rest.created = e.created;
  rest.sequence = std::numeric_limits<std::uint64_t>::max();
  return to_json_line(rest).size() + e.payload_json.size() +
         (e.meta_json ? e.meta_json->size() : 0);
}

void validate_event(const event& e, std::size_t position) {
  if (e.id.empty()) reject(e, position, "the id is empty");
  check_text(e, position, "the id", e.id);
  if (has_control_char(e.id)) reject(e, position, "the id contains control characters");
  if (e.id.starts_with("HEAD::"))
    reject(e, position, "an id may not start with HEAD:: (reserved for stream heads)");
  if (e.id.starts_with("SNAPSHOT::") || e.id.starts_with("META::"))
    reject(e, position, "an id may not start with SNAPSHOT:: or META:: (reserved for evstore)");
  if (event_key(e.id).size() > max_partition_key_bytes)
    reject(e, position, "the id is too long (at most 2040 bytes)");

  if (e.domain.empty()) reject(e, position, "the domain is empty");
  check_text(e, position, "the domain", e.domain);
  if (e.domain.find("::") != std::string::npos || e.domain.ends_with(':'))
    reject(e, position, "the domain may not contain \"::\" nor end with ':'");
  if (e.type.empty()) reject(e, position, "the type is empty");
  check_text(e, position, "the type", e.type);
  if (e.identifier) check_text(e, position, "the identifier", *e.identifier);
  if (head_key(e.domain, e.identifier.value_or("")).size() > max_partition_key_bytes)
    reject(e, position, "domain and identifier together are too long for a stream key");

  if (e.correlation_id) check_text(e, position, "the correlation id", *e.correlation_id);
  if (e.causation_id) {
    if (e.causation_id->empty()) reject(e, position, "the causation id is empty (omit it)");
    check_text(e, position, "the causation id", *e.causation_id);
    if (e.causation_id->size() > max_partition_key_bytes)
      reject(e, position, "the causation id is longer than 2048 bytes");
  }

  if (!e.created) reject(e, position, "the created time is missing");
  const int year = static_cast<int>(month_of(*e.created).year());
  if (year < 0 || year > 9999) reject(e, position, "the created time is outside years 0000-9999");

  // Checked here so that an append with one such payload uploads none of the others, and
  // before the payload is parsed.
  if (!offloaded_object_fits(e))
    reject(e, position,
           "the event is larger than " + std::to_string(max_offloaded_object_bytes >> 20) +
               " MiB as JSON, the most a read of an offloaded payload accepts");
  if (detail::classify_json(e.payload_json) == detail::json_kind::invalid)
    reject(e, position,
           "the payload is not valid JSON (or holds a number beyond a double's range)");
  if (e.meta_json && detail::classify_json(*e.meta_json) != detail::json_kind::object)
    reject(e, position, "the meta is not a JSON object");
}

timestamp prepare_events(std::vector<event>& events, timestamp now) {
  std::unordered_set<std::string_view> ids;
  timestamp next = now;
  std::size_t missing_ids = 0;
  for (const event& e : events) missing_ids += e.id.empty() ? 1 : 0;
  std::vector<std::string> new_ids = make_uuids_v4(missing_ids);
  for (event& e : events) {
    if (e.id.empty()) e.id = std::move(new_ids[--missing_ids]);
    if (!e.created) e.created = next++;
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    validate_event(events[i], i);
    if (!ids.insert(events[i].id).second)
      reject(events[i], i, "the id is given to more than one event of this append");
  }
  return next - std::chrono::milliseconds{1};
}

}  // namespace evstore
