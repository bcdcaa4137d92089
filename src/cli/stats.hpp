#pragma once
// What `evstore stats` reports about a table, and its two forms: aligned text for people and
// one JSON object for scripts. Pure.

#include <cstdint>
#include <optional>
#include <string>

#include "evstore/store/repo.hpp"

namespace evstore::cli {

struct table_stats {
  std::string table_name;
  std::uint64_t events = 0;  ///< the sum of the stream versions
  std::uint64_t streams = 0;
  std::optional<month_range> months;
  stream_scan_totals scan;
  /// This run's requests, the Scan's included.
  repo_metrics requests;
};

std::string stats_text(const table_stats& stats);
/// One line: {"table", "events", "streams", "months": {"first", "last"} | null,
/// "scan": {"itemsRead", "capacityUnits"}, "requests": {"dynamodb": {...}, "s3": {...}}}.
std::string stats_json(const table_stats& stats);

}  // namespace evstore::cli
