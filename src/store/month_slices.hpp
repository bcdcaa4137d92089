#pragma once
// A month of the time index cut into slices of `created` time that are read concurrently: a
// month's Query pages form a chain (each needs the previous LastEvaluatedKey), so one chain caps
// a month's read rate at one page per round trip; slices make several chains.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace evstore {

/// `created` texts from `from` (inclusive) to `before` (exclusive), as ISO-8601 text (which
/// sorts as the times do). The first slice of a month has no lower bound and the last no upper
/// bound, and each slice starts where the one before it ends, so every entry of the month's
/// bucket falls in exactly one slice whatever its text: other writers' `created` without
/// milliseconds or with microseconds included.
struct created_slice {
  std::optional<std::string> from;
  std::optional<std::string> before;
};

/// `count` (at least 1) slices of equal duration, in time order, cut at whole milliseconds.
std::vector<created_slice> month_slices(std::chrono::year_month month, unsigned count);

}  // namespace evstore
