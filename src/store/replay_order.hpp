#pragma once
// Replay's total order, (created, domain, identifier, sequence, id), from what the time index
// gives: each time bucket's entries sorted by `created` only (entries sharing a millisecond come
// in no defined order), a page at a time, as keys without the event's stream or sequence. A
// bucket's trailing entries of one `created` are held back until a later page (or the bucket's
// end) shows that group complete; the buckets of a month (its shards) are merged by `created`;
// pages of keys hold whole groups of one `created`, so sorting each hydrated page by the full
// order finishes the job. Events sharing a millisecond thus replay in their streams' sequence
// order.

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "store/item_codec.hpp"

namespace evstore {

/// An event's table key as the time index returns it, ordered as replay orders events.
struct index_key {
  std::string created;  ///< ISO-8601 text: sorts as the times do
  std::string id;       ///< the item's `id` attribute (`EventID#<event id>`)
  friend auto operator<=>(const index_key&, const index_key&) = default;
};

/// Where an event stands in replay order: its item's `created` text (as the time index sorts
/// it), then its stream (domain, identifier), sequence and id.
struct replay_key {
  std::string created;
  std::string domain;
  std::string identifier;
  std::uint64_t sequence = 0;
  std::string id;
  friend auto operator<=>(const replay_key&, const replay_key&) = default;
};

replay_key replay_key_of(const decoded_item& item);
/// Whether `a` comes before `b` in replay order.
bool replays_before(const decoded_item& a, const decoded_item& b);
/// Sorts hydrated events into replay order.
void sort_in_replay_order(std::vector<decoded_item>& items);

/// The `created` and `id` of an index entry. Throws system_error(store_errc::corrupt_item).
index_key index_key_of(const dynamodb::item& entry);
/// The table key {id, created} of the item an index key points to.
dynamodb::item primary_key_of(const index_key& key);

/// One bucket's entries, page by page, into (created, id) order, whole groups of one `created`
/// at a time.
class bucket_orderer {
 public:
  /// Takes the bucket's next page (in the index's order). `last_page`: the bucket has no more.
  /// Throws system_error(store_errc::corrupt_item) when `created` goes backwards.
  void add_page(std::vector<index_key> page, bool last_page);
  /// Entries known to be in final order, first one next.
  std::deque<index_key>& ready() noexcept { return ready_; }
  const std::deque<index_key>& ready() const noexcept { return ready_; }
  /// The last page was added (held-back entries are then ready too).
  bool finished() const noexcept { return finished_; }

 private:
  void release_held();

  std::deque<index_key> ready_;
  std::vector<index_key> held_;  ///< one `created`, maybe continued on the next page
  bool finished_ = false;
};

/// A month's buckets merged into one (created, id) order, optionally skipping every key created
/// before `from_created` (a resumed replay; its own `created` group is kept whole, since only
/// hydrated events show where in the group the cursor is).
class bucket_merge {
 public:
  explicit bucket_merge(std::size_t buckets,
                        std::optional<std::string> from_created = std::nullopt);

  void add_page(std::size_t bucket, std::vector<index_key> page, bool last_page);
  /// Buckets that must deliver a page before the next key can be known.
  std::vector<std::size_t> starving() const;
  /// The next key in order without taking it, or null when starving() is not empty or every
  /// bucket is done. Valid until the next call of a non-const member.
  const index_key* peek();
  /// The next key in order, or nullopt when starving() is not empty or every bucket is done.
  std::optional<index_key> pop();
  /// Every bucket finished and every key popped.
  bool done() const;

 private:
  /// The bucket holding the next key (skipped keys dropped), or null as for peek().
  bucket_orderer* least();

  std::vector<bucket_orderer> buckets_;
  std::optional<std::string> from_created_;
};

}  // namespace evstore
