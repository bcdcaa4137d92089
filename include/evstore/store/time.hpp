#pragma once
// Event times as the shared table stores them: ISO-8601 UTC with milliseconds, exactly as
// JavaScript's Date.prototype.toISOString writes them (`2024-05-01T12:34:56.789Z`), and the
// monthly time buckets (`2024-05`) the replay index is partitioned by.

#include <chrono>
#include <string>
#include <string_view>

#include "evstore/store/event.hpp"

namespace evstore {

/// `YYYY-MM-DDTHH:MM:SS.sssZ`. Throws system_error(store_errc::invalid_event) for a time
/// outside the years 0000..9999, which that form cannot hold.
std::string format_iso8601(timestamp time);

/// Parses an ISO-8601 date-time: `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits
/// (truncated to milliseconds), then `Z` or an offset `+HH:MM` / `-HH:MM`. Every field is range
/// checked (day within its month, no leap seconds). Throws system_error(store_errc::invalid_event)
/// naming the offending part.
timestamp parse_iso8601(std::string_view text);

/// The UTC month of `time`.
std::chrono::year_month month_of(timestamp time);

/// `YYYY-MM`: the first 7 characters of the ISO form, the table's `timeBucket`.
std::string time_bucket(std::chrono::year_month month);
inline std::string time_bucket(timestamp time) {
  return time_bucket(month_of(time));
}

/// The shard of an event id among `shards` (stable: FNV-1a of the id), 0 when shards <= 1.
unsigned shard_of(std::string_view event_id, unsigned shards);
/// `YYYY-MM` when shards <= 1, else `YYYY-MM#<shard>`.
std::string time_bucket(std::chrono::year_month month, unsigned shard, unsigned shards);

/// Parses `YYYY-MM`; throws system_error(store_errc::invalid_event).
std::chrono::year_month parse_time_bucket(std::string_view text);

/// The current time, truncated to milliseconds.
timestamp now_ms();

}  // namespace evstore
