#pragma once
// Planning an append, without I/O: events grouped by stream, sequences assigned, and each
// stream's events split into TransactWriteItems calls within DynamoDB's limits (100 actions,
// 4 MB of items). Every call carries the Update of the stream's head item, conditioned on the
// version the previous call of the plan wrote (or, for the first, the version the stream had),
// so a stream of any length can be started or extended, chunk after chunk.
//
// Actions of a call, in order: the head Update, then one Put per event of the chunk.
//
// Also the pure parts of idempotent appends: how events already stored (a re-append after a
// lost response or an unknown outcome) are recognised. The ClientRequestToken of a call is in
// append_token.hpp.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

/// The events of one stream, by position in the append's events, in append order.
struct stream_events {
  std::string domain;
  std::string identifier;  ///< empty when the events have none
  std::vector<std::size_t> positions;
};

/// Streams in order of their first event.
std::vector<stream_events> group_by_stream(const std::vector<event>& events);

/// The head attribute holding the `created` of the stream's latest event (ISO-8601 text), set by
/// every evstore transaction with `version`.
inline constexpr std::string_view head_last_created_attribute = "lastCreated";

/// The `lastCreated` of a head item; nullopt for a missing item or attribute (heads the
/// TypeScript adapter wrote). Throws system_error(corrupt_item) when it is not a time.
std::optional<timestamp> head_last_created(const std::optional<dynamodb::item>& head);

/// Gives the stream's events without a caller-given time (`caller_times[p]` false) their
/// `created`: `now`, or the latest of `last_created` (the head's) and the previous event of the
/// stream when that is later, so a stream's times never decrease in sequence order. Throws
/// system_error(store_errc::invalid_event) when a caller-given time is earlier than the
/// previous event of the stream (in the call, or `last_created`).
void stamp_stream(std::vector<event>& events, const std::vector<std::size_t>& positions,
                  const std::vector<bool>& caller_times, timestamp now,
                  std::optional<timestamp> last_created);

/// Sets each event's sequence: `current_version` + its index in the stream + 1.
void assign_sequences(std::vector<event>& events, const stream_events& stream,
                      std::uint64_t current_version);

struct transaction_limits {
  std::size_t max_actions = 100;
  /// DynamoDB caps a transaction's items at 4 MB; kept below 4 MiB for the head item and
  /// rounding in the service's own accounting.
  std::size_t max_item_bytes = 4'000'000;
};

/// One TransactWriteItems call: the head goes from expected_version to new_version.
struct transaction_chunk {
  std::string domain;
  std::string identifier;
  /// The head condition: `version = expected` (or, for 0, a missing head).
  std::uint64_t expected_version = 0;
  std::uint64_t new_version = 0;
  std::vector<std::size_t> positions;  ///< the events Put by this call, in order
};

/// Splits a stream's events (sequences assigned) into calls. `item_bytes[p]` is the computed
/// size of the item of the event at position p. Throws system_error(transaction_too_large) when
/// one item alone exceeds the byte limit.
std::vector<transaction_chunk> plan_transactions(const stream_events& stream,
                                                 std::uint64_t current_version,
                                                 const std::vector<std::size_t>& item_bytes,
                                                 const transaction_limits& limits = {});

/// What a TransactionCanceledException means for a planned call.
struct cancellation_verdict {
  enum class kind {
    version_conflict,  ///< the head's condition failed: another writer moved the stream
    duplicate_event,   ///< an event's Put found its id already stored
    retryable,         ///< only conflicts with other transactions or throttling
    fatal,             ///< anything else (validation, item collection size): not retried
  };
  kind verdict = kind::fatal;
  /// For version_conflict: the head's version from the returned item, when DynamoDB sent it.
  std::optional<std::uint64_t> actual_version;
  /// With actual_version: the head's lastCreated (nullopt when it has none).
  std::optional<timestamp> actual_last_created;
  /// For duplicate_event: the event's id.
  std::string event_id;
  /// The reasons as text, for errors and logs.
  std::string summary;
};

/// Classifies the CancellationReasons of a cancelled call of `chunk` (one reason per action, in
/// action order). The head's condition is on its version and on its lastCreated not being later
/// than the chunk's first event: either failing is a version_conflict (actual_version then tells
/// which). A failed head condition wins over a duplicate id (the duplicate may be one
/// this stream's other writer stored), which wins over retryable reasons.
cancellation_verdict classify_cancellation(
    const transaction_chunk& chunk, const std::vector<event>& events,
    const std::vector<dynamodb::cancellation_reason>& reasons);

/// Whether a stored event is the one being appended again: same domain, identifier (absent and
/// empty alike), type, correlation and causation ids, payload and meta as JSON values (text
/// layout and member order aside), and, when the caller chose it (`compare_created`), the same
/// created time. id and sequence are not compared.
bool same_event_content(const event& stored, const event& appended, bool compare_created);

/// Whether an item read back is the item a call wrote: every attribute equal, `meta` compared
/// as a JSON document (DynamoDB may respell its numbers).
bool same_stored_item(const dynamodb::item& stored, const dynamodb::item& written);

/// What is left to write of one stream once the events already stored are taken out.
struct stream_write {
  stream_events stream;  ///< positions still to write, in order (may be empty)
  /// The version the first event still to write must follow: the caller's expected sequence,
  /// or, when the caller gave one and a leading run is stored, the sequence of the run's last
  /// event. nullopt: whatever the stream's version is.
  std::optional<std::uint64_t> expected;
};

/// Splits each stream of `events` into the events already stored (`stored[p]` set: copied into
/// `events[p]`, so the caller gets the stored id, created and sequence) and those to write.
/// Stored events must lead their stream in the append (they were written before the others):
/// one after an event still to write throws duplicate_event_error.
/// plan_stream_writes for one stream: `stream.positions` are the events still to write.
stream_write plan_stream_write(std::vector<event>& events, const stream_events& stream,
                               const std::vector<std::optional<event>>& stored,
                               std::optional<std::uint64_t> expected);

std::vector<stream_write> plan_stream_writes(std::vector<event>& events,
                                             const std::vector<std::optional<event>>& stored,
                                             std::optional<std::uint64_t> expected);

}  // namespace evstore
