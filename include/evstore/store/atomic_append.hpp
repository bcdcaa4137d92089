#pragma once
// Atomic appends across streams (repo::append_atomic): events for several streams, each with its
// own expectation of the stream's version, and streams only checked, written all or nothing in
// one TransactWriteItems call. Also the pure parts of planning one: checking the request, its
// size against the transaction's limits, the ConditionCheck of a checked stream, and what the
// CancellationReasons of a cancelled call say about each stream.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evstore/dynamodb/error.hpp"
#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

/// What a stream's version must be for an atomic append to go ahead.
struct stream_expectation {
  enum class kind {
    exact,      ///< exactly `version` (0: no stream)
    no_stream,  ///< no event yet (version 0)
    exists,     ///< at least one event
    any,        ///< whatever it is (only for streams written to)
  };
  kind what = kind::any;
  std::uint64_t version = 0;  ///< for exact

  static stream_expectation exactly(std::uint64_t version) { return {kind::exact, version}; }
  static stream_expectation none() { return {kind::no_stream, 0}; }
  static stream_expectation existing() { return {kind::exists, 0}; }
  static stream_expectation anything() { return {kind::any, 0}; }

  /// Whether a stream at `actual` meets it.
  bool met_by(std::uint64_t actual) const noexcept;
  /// "version 3", "no stream", "an existing stream", "any version".
  std::string describe() const;
};

/// Events for one stream. Each event's domain and identifier must be the stream's; left empty
/// they are filled in.
struct atomic_stream_write {
  std::string domain;
  std::string identifier;  ///< empty: the stream of events without identifier
  stream_expectation expectation;
  std::vector<event> events;  ///< at least one
};

/// A stream only checked: a ConditionCheck on its head, nothing written to it.
struct atomic_stream_check {
  std::string domain;
  std::string identifier;
  stream_expectation expectation;  ///< not `any`: that checks nothing
};

struct atomic_append {
  std::vector<atomic_stream_write> writes;
  std::vector<atomic_stream_check> checks;
};

/// A stream of an atomic append whose version did not meet its expectation.
struct stream_conflict {
  std::string domain;
  std::string identifier;
  bool check_only = false;  ///< a checked stream (no events for it)
  stream_expectation expected;
  std::uint64_t actual = 0;
};

/// An atomic append refused because streams did not meet their expectations; nothing of it was
/// written. conflicts() lists every such stream, in request order (writes, then checks). As a
/// concurrency_error it names the first: expected_version() is its exact version (0 for
/// `none`, 1 for `exists`, meaning at least one event).
class atomic_conflict_error : public concurrency_error {
 public:
  explicit atomic_conflict_error(std::vector<stream_conflict> conflicts);
  const std::vector<stream_conflict>& conflicts() const noexcept { return conflicts_; }

 private:
  std::vector<stream_conflict> conflicts_;
};

/// DynamoDB's most actions in one transaction.
inline constexpr std::size_t max_atomic_actions = 100;

/// Actions of the call: a head Update per write, a Put per event, a ConditionCheck per check.
std::size_t atomic_action_count(const atomic_append& request);

/// Checks the request's shape before anything is read or written: at least one write, each
/// with events of its stream (filled in where empty), no stream named twice (among writes and
/// checks), no check expecting `any`, at most max_atomic_actions actions. Throws
/// system_error(store_errc::invalid_event) saying what is wrong. The events still need
/// validation (prepare_events).
void check_atomic_request(atomic_append& request);

/// Throws system_error(store_errc::invalid_event) when the items of the call (`item_bytes`, each
/// event's item as it will be written: offloaded where its payload will be) exceed the limit.
void check_atomic_size(const std::vector<std::size_t>& item_bytes,
                       const transaction_limits& limits = {});

/// One action of the call, in request order.
struct atomic_action {
  enum class kind { head, put, check };
  kind what = kind::head;
  std::size_t stream = 0;    ///< the index of the write (head, put) or of the check
  std::size_t position = 0;  ///< put: the event's position in the call's events
};

/// The actions of the call for writes with the given event positions, then the checks.
std::vector<atomic_action> atomic_actions(
    const std::vector<std::vector<std::size_t>>& write_positions, std::size_t check_count);

/// A stream whose condition failed, with its head as DynamoDB returned it.
struct atomic_stream_failure {
  atomic_action::kind what = atomic_action::kind::head;  ///< head (a write) or check
  std::size_t stream = 0;
  /// The head's version from the item DynamoDB returned (0 when it returned none: no head).
  std::optional<std::uint64_t> actual_version;
  std::optional<timestamp> actual_last_created;
};

/// What a TransactionCanceledException means for an atomic call.
struct atomic_cancellation {
  enum class kind {
    conditions_failed,  ///< heads or checks whose condition failed (see `failures`)
    duplicate_event,    ///< an event's Put found its id stored (and no condition failed)
    retryable,          ///< only conflicts with other transactions or throttling
    fatal,              ///< anything else
  };
  kind verdict = kind::fatal;
  std::vector<atomic_stream_failure> failures;  ///< in request order
  std::string event_id;                         ///< for duplicate_event
  std::string summary;                          ///< the reasons as text
};

/// Classifies the CancellationReasons (one per action, in request order) of a cancelled call
/// whose actions are `actions`. A failed head or check wins over a duplicate id, which wins
/// over retryable reasons. A failed condition without an item (DynamoDB returns none for a
/// missing head, and may omit it) leaves actual_version empty: the caller reads the head.
atomic_cancellation classify_atomic_cancellation(
    const std::vector<atomic_action>& actions, const std::vector<event>& events,
    const std::vector<dynamodb::cancellation_reason>& reasons);

}  // namespace evstore
