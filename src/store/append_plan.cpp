#include "evstore/store/detail/append_plan.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include "aws/json_document.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "store/item_codec.hpp"

namespace evstore {

std::vector<stream_events> group_by_stream(const std::vector<event>& events) {
  std::vector<stream_events> streams;
  std::map<std::string, std::size_t, std::less<>> index_of;
  for (std::size_t p = 0; p < events.size(); ++p) {
    const event& e = events[p];
    const std::string identifier = e.identifier.value_or("");
    const auto [it, inserted] =
        index_of.try_emplace(stream_name(e.domain, identifier), streams.size());
    if (inserted) streams.push_back({e.domain, identifier, {}});
    streams[it->second].positions.push_back(p);
  }
  return streams;
}

std::optional<timestamp> head_last_created(const std::optional<dynamodb::item>& head) {
  if (!head) return std::nullopt;
  const auto it = head->find(std::string(head_last_created_attribute));
  if (it == head->end()) return std::nullopt;
  const auto id = head->find("id");
  const std::string name = id != head->end() && id->second.type() == dynamodb::attribute_type::s
                               ? id->second.as_string()
                               : std::string("stream head");
  try {
    if (it->second.type() == dynamodb::attribute_type::s)
      return parse_iso8601(it->second.as_string());
  } catch (const boost::system::system_error&) {
  }
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "item '" + name + "': '" +
                                        std::string(head_last_created_attribute) +
                                        "' is not an ISO-8601 time; inspect the table");
}

void stamp_stream(std::vector<event>& events, const std::vector<std::size_t>& positions,
                  const std::vector<bool>& caller_times, timestamp now,
                  std::optional<timestamp> last_created) {
  std::optional<timestamp> previous = last_created;
  for (const std::size_t p : positions) {
    event& e = events[p];
    if (!caller_times.at(p)) {
      e.created = previous ? std::max(now, *previous) : now;
    } else if (previous && *e.created < *previous) {
      throw boost::system::system_error(
          make_error_code(store_errc::invalid_event),
          "event " + std::to_string(p + 1) + " (id '" + e.id + "') has created " +
              format_iso8601(*e.created) + ", earlier than " + format_iso8601(*previous) +
              " of the event before it in stream " +
              stream_name(e.domain, e.identifier.value_or("")) +
              ": a stream's times may not decrease (give a later time or none); nothing of this "
              "stream was written from it on");
    }
    previous = e.created;
  }
}

void assign_sequences(std::vector<event>& events, const stream_events& stream,
                      std::uint64_t current_version) {
  std::uint64_t sequence = current_version;
  for (const std::size_t p : stream.positions) events[p].sequence = ++sequence;
}

std::vector<transaction_chunk> plan_transactions(const stream_events& stream,
                                                 std::uint64_t current_version,
                                                 const std::vector<std::size_t>& item_bytes,
                                                 const transaction_limits& limits) {
  std::vector<transaction_chunk> chunks;
  const std::size_t max_puts = limits.max_actions - 1;  // one action is the head Update
  std::uint64_t version = current_version;
  transaction_chunk chunk;
  std::size_t chunk_bytes = 0;
  const auto close_chunk = [&] {
    chunk.domain = stream.domain;
    chunk.identifier = stream.identifier;
    chunk.expected_version = version;
    chunk.new_version = version + chunk.positions.size();
    version = chunk.new_version;
    chunks.push_back(std::move(chunk));
    chunk = {};
    chunk_bytes = 0;
  };
  for (const std::size_t p : stream.positions) {
    const std::size_t bytes = item_bytes.at(p);
    if (bytes > limits.max_item_bytes) {
      throw boost::system::system_error(
          make_error_code(store_errc::transaction_too_large),
          "an event item of " + std::to_string(bytes) + " bytes exceeds the " +
              std::to_string(limits.max_item_bytes) +
              " bytes a transaction may carry: shrink its meta or lower the offload threshold");
    }
    if (!chunk.positions.empty() &&
        (chunk.positions.size() == max_puts || chunk_bytes + bytes > limits.max_item_bytes))
      close_chunk();
    chunk.positions.push_back(p);
    chunk_bytes += bytes;
  }
  if (!chunk.positions.empty()) close_chunk();
  return chunks;
}

cancellation_verdict classify_cancellation(
    const transaction_chunk& chunk, const std::vector<event>& events,
    const std::vector<dynamodb::cancellation_reason>& reasons) {
  cancellation_verdict verdict;
  bool retryable = false;
  bool fatal = false;
  std::optional<std::string> duplicate;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const dynamodb::cancellation_reason& reason = reasons[i];
    if (reason.code == "None" || reason.code.empty()) continue;
    const std::string action = i == 0 ? "head of " + stream_name(chunk.domain, chunk.identifier)
                                      : (i - 1 < chunk.positions.size()
                                             ? "event '" + events[chunk.positions[i - 1]].id + "'"
                                             : "action " + std::to_string(i + 1));
    if (!verdict.summary.empty()) verdict.summary += "; ";
    verdict.summary += action + ": " + reason.code;
    if (!reason.message.empty()) verdict.summary += " (" + reason.message + ")";

    if (reason.code == "ConditionalCheckFailed") {
      if (i == 0) {
        verdict.verdict = cancellation_verdict::kind::version_conflict;
        if (reason.item) {
          try {
            verdict.actual_version = head_version(reason.item);
            verdict.actual_last_created = head_last_created(reason.item);
          } catch (const boost::system::system_error&) {
            verdict.actual_version.reset();
            verdict.actual_last_created.reset();
          }
        }
      } else if (!duplicate && i - 1 < chunk.positions.size()) {
        duplicate = events[chunk.positions[i - 1]].id;
      } else {
        fatal = true;
      }
    } else if (reason.code == "TransactionConflict" || reason.code == "ThrottlingError" ||
               reason.code == "ProvisionedThroughputExceeded" ||
               reason.code == "RequestLimitExceeded") {
      retryable = true;
    } else {
      fatal = true;
    }
  }
  if (verdict.verdict == cancellation_verdict::kind::version_conflict) return verdict;
  if (duplicate) {
    verdict.verdict = cancellation_verdict::kind::duplicate_event;
    verdict.event_id = *duplicate;
  } else if (retryable && !fatal) {
    verdict.verdict = cancellation_verdict::kind::retryable;
  } else {
    verdict.verdict = cancellation_verdict::kind::fatal;
    if (verdict.summary.empty()) verdict.summary = "no reason given";
  }
  return verdict;
}

namespace {

/// JSON texts equal as values; texts that do not parse compare as text.
bool same_json(std::string_view a, std::string_view b) {
  if (a == b) return true;
  std::string error;
  const std::optional<boost::json::value> a_value = aws::detail::parse_json(a, error);
  const std::optional<boost::json::value> b_value = aws::detail::parse_json(b, error);
  return a_value && b_value && *a_value == *b_value;
}

}  // namespace

bool same_event_content(const event& stored, const event& appended, bool compare_created) {
  if (stored.domain != appended.domain || stored.type != appended.type) return false;
  if (stored.identifier.value_or("") != appended.identifier.value_or("")) return false;
  if (stored.correlation_id != appended.correlation_id) return false;
  if (stored.causation_id != appended.causation_id) return false;
  if (compare_created && stored.created != appended.created) return false;
  if (stored.meta_json.has_value() != appended.meta_json.has_value()) return false;
  if (stored.meta_json && !same_json(*stored.meta_json, *appended.meta_json)) return false;
  return same_json(stored.payload_json, appended.payload_json);
}

bool same_stored_item(const dynamodb::item& stored, const dynamodb::item& written) {
  if (stored.size() != written.size()) return false;
  for (const auto& [name, value] : written) {
    const auto it = stored.find(name);
    if (it == stored.end()) return false;
    if (it->second == value) continue;
    if (name != "meta" || value.type() != dynamodb::attribute_type::m ||
        it->second.type() != dynamodb::attribute_type::m)
      return false;
    if (!same_json(dynamodb::to_document_text(it->second), dynamodb::to_document_text(value)))
      return false;
  }
  return true;
}

stream_write plan_stream_write(std::vector<event>& events, const stream_events& stream,
                               const std::vector<std::optional<event>>& stored,
                               std::optional<std::uint64_t> expected) {
  stream_write write{{stream.domain, stream.identifier, {}}, expected};
  for (const std::size_t p : stream.positions) {
    if (!stored.at(p)) {
      write.stream.positions.push_back(p);
      continue;
    }
    // A stored event after one still to write would come before it in the stream.
    if (!write.stream.positions.empty()) throw duplicate_event_error(events[p].id);
    events[p] = *stored[p];
    if (write.expected) write.expected = events[p].sequence;
  }
  return write;
}

std::vector<stream_write> plan_stream_writes(std::vector<event>& events,
                                             const std::vector<std::optional<event>>& stored,
                                             std::optional<std::uint64_t> expected) {
  std::vector<stream_write> writes;
  for (const stream_events& stream : group_by_stream(events))
    writes.push_back(plan_stream_write(events, stream, stored, expected));
  return writes;
}

}  // namespace evstore
