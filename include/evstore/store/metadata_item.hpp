#pragma once
// The table's metadata item: which months hold events and how many time-bucket shards events
// are written with. Key `id` = `EventID#META::months`, `created` = `META`; attributes
// `firstMonth` / `lastMonth` (`YYYY-MM`, both or neither) and `shards` (N). It has no
// `timeBucket`, so the time index (and the TypeScript adapter's replay) never sees it.

#include <chrono>
#include <optional>
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

/// UpdateItem that records `wanted` as the month range, on the condition that the stored range
/// does not reach past it on either side (so concurrent writers only ever widen it; a failed
/// condition returns the stored item), and records `shards` unless a count is there. Returns
/// the new item.
dynamodb::update_item_request extend_months_request(std::string table, const month_range& wanted,
                                                    unsigned shards);

/// UpdateItem that records `shards` unless a count is there; returns the new item.
dynamodb::update_item_request record_shards_request(std::string table, unsigned shards);

}  // namespace evstore
