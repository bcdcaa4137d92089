#pragma once
// The time-index buckets replay and subscriptions read a month through.

#include <chrono>
#include <string>
#include <vector>

#include "evstore/store/time.hpp"

namespace evstore {

/// The month of a stored `created` text.
inline std::chrono::year_month month_of_created(const std::string& created) {
  return month_of(parse_iso8601(created));
}

/// The buckets of a month. A sharded table's months also have the plain bucket, where the
/// TypeScript adapter writes when it shares the table.
inline std::vector<std::string> buckets_of(std::chrono::year_month month, unsigned shards) {
  std::vector<std::string> buckets{time_bucket(month)};
  if (shards > 1)
    for (unsigned shard = 0; shard < shards; ++shard)
      buckets.push_back(time_bucket(month, shard, shards));
  return buckets;
}

}  // namespace evstore
