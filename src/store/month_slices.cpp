#include "store/month_slices.hpp"

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
    // Slice i starts at the i-th boundary, where slice i - 1 ends.
    const std::string boundary = format_iso8601(start + length * i / count);
    slices[i - 1].before = boundary;
    slices[i].from = boundary;
  }
  return slices;
}

}  // namespace evstore
