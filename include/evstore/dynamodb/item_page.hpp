#pragma once
// One page of items read by Query or Scan.

#include <cstdint>
#include <optional>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"

namespace evstore::dynamodb {

struct item_page {
  std::vector<item> items{};
  std::int64_t count = 0;          ///< items returned (after the filter)
  std::int64_t scanned_count = 0;  ///< items evaluated (before the filter)
  /// Present when there may be more: pass it as the next request's exclusive_start_key.
  std::optional<item> last_evaluated_key{};
  std::optional<dynamodb::consumed_capacity> consumed_capacity{};
};

}  // namespace evstore::dynamodb
