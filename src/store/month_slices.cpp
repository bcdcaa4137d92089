#include "evstore/store/month_slices.hpp"

#include <algorithm>

#include "evstore/store/time.hpp"

namespace evstore {

std::vector<created_slice> month_slices(std::chrono::year_month month, unsigned count) {
  namespace chr = std::chrono;
  count = std::max(count, 1U);
  const timestamp start{chr::sys_days{month / 1}};
  const timestamp end{chr::sys_days{(month + chr::months{1}) / 1}};
  const chr::milliseconds length = end - start;
  std::vector<created_slice> slices(count);
  for (unsigned i = 1; i < count; ++i) {
    // Slice i starts at the i-th boundary; slice i - 1 ends one millisecond before it.
    const timestamp boundary = start + length * i / count;
    slices[i - 1].to = format_iso8601(boundary - chr::milliseconds{1});
    slices[i].from = format_iso8601(boundary);
  }
  return slices;
}

}  // namespace evstore
