#pragma once
// A month of the time index cut into slices of `created` time that are read concurrently: a
// month's Query pages form a chain (each needs the previous LastEvaluatedKey), so one chain caps
// a month's read rate at one page per round trip; slices make several chains.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace evstore {

/// `created` from `from` to `to`, both inclusive, as ISO-8601 text (which sorts as the times
/// do). The first slice of a month has no lower bound and the last no upper bound, so every
/// entry of the month's bucket falls in exactly one slice whatever its `created`.
struct created_slice {
  std::optional<std::string> from;
  std::optional<std::string> to;
};

/// `count` (at least 1) slices of equal duration, in time order; a millisecond never spans two.
std::vector<created_slice> month_slices(std::chrono::year_month month, unsigned count);

}  // namespace evstore
