#pragma once
// The table's metadata item: which months hold events and how many time-bucket shards events
// are written with. Key `id` = `EventID#META::months`, `created` = `META`; attributes
// `firstMonth` / `lastMonth` (`YYYY-MM`, both or neither), `shards` (N) and `completeSince`
// (`YYYY-MM`: the month in which something that looked at the whole table recorded the range
// as complete). It has no
// `timeBucket`, so the time index (and the TypeScript adapter's replay) never sees it.
// The item is an optimisation: when it is missing, corrupt or not complete, the months are
// found from the time index itself (month_survey), and replay reads those.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/items.hpp"
#include "evstore/store/repo.hpp"

namespace evstore {

inline constexpr std::string_view metadata_item_id = "EventID#META::months";
inline constexpr std::string_view metadata_item_created = "META";
/// The most time-bucket shards a table may have (each month then costs this many Queries).
inline constexpr unsigned max_time_bucket_shards = 256;

struct table_metadata {
  /// nullopt: no month recorded yet.
  std::optional<month_range> months;
  /// nullopt: no count recorded (events are then in the plain `YYYY-MM` buckets).
  std::optional<unsigned> shards;
  /// Set when `months` (or, when unset, the absence of events) was recorded by `init` on an
  /// empty index or by `migrate` after scanning the whole table, in this month; appends keep
  /// widening the range. Unset: the range may miss months (another writer's, or events written
  /// before the item was lost). The month matters because the TypeScript adapter writes events
  /// of the current month without recording them: replay reads from it to the current month.
  std::optional<std::chrono::year_month> complete_since;
};

dynamodb::item metadata_item_key();

/// Reads the metadata item. Throws system_error(store_errc::corrupt_item) naming the attribute
/// at fault.
table_metadata metadata_from_item(const dynamodb::item& item);

/// Whether `range` holds every month of `months`.
bool covers(const std::optional<month_range>& range,
            const std::vector<std::chrono::year_month>& months);

/// The smallest range holding `range` (when set) and every month of `months`; `months` must not
/// be empty unless `range` is set.
month_range widened(const std::optional<month_range>& range,
                    const std::vector<std::chrono::year_month>& months);

/// The shard count a table gets from `configured` (0 counts as 1). Throws std::invalid_argument
/// above max_time_bucket_shards.
unsigned checked_shard_count(unsigned configured);

/// How a write of the metadata item treats the shard count and the complete marker.
enum class months_write {
  /// An append: records the shard count unless one is there; leaves the marker as it is.
  widen,
  /// migrate after scanning every item: sets the shard count and marks the range complete
  /// since the given month.
  complete,
};

/// UpdateItem that records `wanted` as the month range, on the condition that the stored range
/// does not reach past it on either side (so concurrent writers only ever widen it; a failed
/// condition returns the stored item), and the shard count as `kind` says. Returns the new item.
dynamodb::update_item_request extend_months_request(std::string table, const month_range& wanted,
                                                    unsigned shards,
                                                    months_write kind = months_write::widen,
                                                    std::chrono::year_month complete_since = {});

/// UpdateItem that records `shards` unless a count is there and, when `complete_since` is set,
/// marks the range complete since that month unless a marker is there (init on an empty time
/// index) or since then (`replace_marker`: migrate on a table without events); returns the new
/// item.
dynamodb::update_item_request record_shards_request(
    std::string table, unsigned shards,
    std::optional<std::chrono::year_month> complete_since = std::nullopt,
    bool replace_marker = false);

/// UpdateItem that replaces a corrupt metadata item `stored` (as read) with `months` (nullopt:
/// none), `shards` and the complete marker since `complete_since`, on the condition that the
/// item is still exactly as read (so a write that happened meanwhile is not overwritten). For
/// migrate.
dynamodb::update_item_request replace_metadata_request(std::string table,
                                                       const dynamodb::item& stored,
                                                       const std::optional<month_range>& months,
                                                       unsigned shards,
                                                       std::chrono::year_month complete_since);

/// The months and shard buckets of the time index, built from its `timeBucket` values.
struct month_survey {
  std::set<std::chrono::year_month> months;
  /// 1 + the highest shard of a `YYYY-MM#s` bucket seen; 1 when only plain buckets were seen.
  unsigned shards = 1;
  /// Values that name no bucket replay can read (neither `YYYY-MM` nor `YYYY-MM#s`).
  std::uint64_t unreadable = 0;

  /// Adds one `timeBucket` value.
  void add(std::string_view bucket);
  void merge(const month_survey& other);
};

/// The months and buckets one replay reads; `first > last`: none.
struct replay_span {
  std::chrono::year_month first{};
  std::chrono::year_month last{};
  unsigned shards = 1;
};

/// Where the caller bounds a replay: its first_month / last_month options and the month of the
/// event it resumes after.
struct replay_bounds {
  std::optional<std::chrono::year_month> first_month{};
  std::optional<std::chrono::year_month> last_month{};
  std::optional<std::chrono::year_month> resume_month{};
};

/// Whether the months must be found from the time index: the item (nullopt: missing or
/// corrupt) is not complete, unless the caller fixes both ends and the item gives the shards.
bool needs_survey(const std::optional<table_metadata>& metadata, const replay_bounds& bounds);

/// The months a replay reads: the recorded range (when `metadata` is trusted) united with the
/// surveyed months and the month the range is complete since, extended to include `now` (the
/// adapter writes the current month without recording it; `now` alone when nothing else is
/// known), then the caller's bounds. Shards: the
/// larger of the recorded count and the surveyed one.
replay_span plan_replay_span(const std::optional<table_metadata>& metadata,
                             const std::optional<month_survey>& survey, std::chrono::year_month now,
                             const replay_bounds& bounds);

/// The months holding events: the recorded range united with the surveyed months; nullopt when
/// neither has any.
std::optional<month_range> known_event_months(const std::optional<table_metadata>& metadata,
                                              const std::optional<month_survey>& survey);

}  // namespace evstore
