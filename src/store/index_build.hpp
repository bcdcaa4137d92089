#pragma once
// Waiting for a global secondary index that init added to be built. DynamoDB backfills a new
// index from the whole table, which on a large table takes hours (it gives no completion
// estimate, and refreshes an index's item count only about every six hours), so the wait has no
// time limit: it lasts as long as DynamoDB reports the index as being built, and ends with an
// error as soon as the table or the index can no longer become ACTIVE. Pure logic; init runs it.

#include <chrono>
#include <string>
#include <string_view>

#include "evstore/dynamodb/tables.hpp"

namespace evstore {

enum class index_build_step {
  done,  ///< the table and every index are ACTIVE, the awaited index among them
  wait,  ///< still being built (or the table busy with another change): poll again
  fail,  ///< the table or the index can no longer become ACTIVE
};

struct index_build_state {
  index_build_step step = index_build_step::wait;
  /// For wait, a progress line; for fail, what went wrong. Names the table and the index.
  std::string description;
};

/// Judges one DescribeTable of a table waited on for `index`, `elapsed` into the wait.
/// `elapsed` only appears in the description: no duration makes a build in progress fail.
index_build_state judge_index_build(const dynamodb::table_description& table,
                                    std::string_view index, std::chrono::seconds elapsed);

}  // namespace evstore
