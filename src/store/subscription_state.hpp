#pragma once
// What a subscription knows between polls, without I/O: how far its sweep of the time index
// went, the last sequence it delivered of each stream seen recently (so that a late or re-read
// event is delivered exactly once and never ahead of its stream's earlier events), and the
// checkpoint text that carries both across restarts. docs/subscriptions.md gives the design.

#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace evstore {

/// The last event a subscription delivered of one stream.
struct stream_position {
  std::string domain;
  std::string identifier;
  std::uint64_t sequence = 0;
  std::string created;  ///< that event's `created` text as stored
  friend bool operator==(const stream_position&, const stream_position&) = default;
};

/// The state a subscription resumes from.
struct subscription_checkpoint {
  /// Every index key with `created` text before this was swept (empty: nothing yet).
  std::string swept;
  /// `streams` holds every stream whose last delivered event has `created` >= floor; an earlier
  /// event of a stream not listed is taken as delivered before. Late arrivals are looked for
  /// from max(floor, swept - late window) on.
  std::string floor;
  std::vector<stream_position> streams;
  friend bool operator==(const subscription_checkpoint&, const subscription_checkpoint&) = default;
};

/// Compact versioned JSON:
/// {"v":1,"swept":..,"floor":..,"streams":[[domain,identifier,seq,created],..]}.
std::string encode_checkpoint(const subscription_checkpoint& checkpoint);
/// Throws system_error(errc::invalid_argument) saying what is wrong with the text.
subscription_checkpoint decode_checkpoint(std::string_view text);

/// `created` text `back` before `text` (ISO-8601 with milliseconds); "" for "" (the start).
/// Throws system_error(store_errc::invalid_event) for text that is not a time.
std::string created_before(std::string_view text, std::chrono::milliseconds back);

/// What to do with event `sequence` of a stream.
enum class stream_verdict {
  deliver,            ///< the next one of its stream (or the first of a stream)
  already_delivered,  ///< it or a later one of its stream went out before
  gap,                ///< earlier ones of its stream are not known to be delivered
};

struct stream_check {
  stream_verdict verdict = stream_verdict::deliver;
  /// For a gap: the first sequence not known to be delivered. 0: the stream is not tracked, so
  /// which of its earlier events went out depends on their `created` (see below_floor).
  std::uint64_t first_missing = 0;
};

/// Whether `sequences` (ascending, as the stream index gave them) are exactly the events of a
/// gap before event `next`: from `first_missing` on (a tracked stream), or for an untracked
/// stream (first_missing 0) from right after `floor_sequence`, the newest event found below the
/// floor (0: none, so from 1). A hole means the index has not caught up yet.
bool fills_gap(const std::vector<std::uint64_t>& sequences, std::uint64_t next,
               std::uint64_t first_missing, std::uint64_t floor_sequence);

/// The last delivered sequence of each stream delivered from `floor` on, at most max_streams of
/// them (beyond that the ones delivered longest ago are dropped and the floor rises past them).
class stream_tracker {
 public:
  stream_tracker(std::string floor, const std::vector<stream_position>& streams,
                 std::size_t max_streams = 100'000);

  stream_check check(const std::string& domain, const std::string& identifier,
                     std::uint64_t sequence) const;
  bool tracks(const std::string& domain, const std::string& identifier) const {
    return last_.contains({domain, identifier});
  }
  /// Whether an event of an untracked stream with this `created` counts as delivered before
  /// (it is older than every tracked delivery).
  bool below_floor(std::string_view created) const { return created < floor_; }
  /// Records the delivery of `sequence` (the next one of its stream).
  void record(const std::string& domain, const std::string& identifier, std::uint64_t sequence,
              const std::string& created);
  /// The tracked streams whose last delivery has `created` >= since, in stream order.
  std::vector<stream_position> positions_since(std::string_view since) const;
  const std::string& floor() const noexcept { return floor_; }
  std::size_t size() const noexcept { return last_.size(); }

 private:
  struct last_delivery {
    std::uint64_t sequence = 0;
    std::string created;
  };
  void evict_oldest_half();

  std::string floor_;
  std::size_t max_streams_;
  std::map<std::pair<std::string, std::string>, last_delivery> last_;
};

}  // namespace evstore
