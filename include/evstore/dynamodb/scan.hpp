#pragma once
// Scan: every item of a table (or index), a page at a time, optionally split into segments that
// separate callers read in parallel.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"
#include "evstore/dynamodb/item_page.hpp"

namespace evstore::dynamodb {

struct scan_request {
  static constexpr std::string_view operation = "Scan";
  std::string table_name{};
  std::optional<std::string> index_name{};
  std::optional<std::string> filter_expression{};
  std::optional<std::string> projection_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  /// Items evaluated per page (before the filter), at most; DynamoDB also stops at 1 MB.
  std::optional<std::int32_t> limit{};
  /// The previous page's last_evaluated_key, to continue after it.
  std::optional<item> exclusive_start_key{};
  /// Parallel scan: this request reads segment `segment` of `total_segments` (both set or
  /// neither; 0 <= segment < total_segments <= 1,000,000).
  std::optional<std::int32_t> segment{};
  std::optional<std::int32_t> total_segments{};
  bool consistent_read = false;  ///< rejected by DynamoDB on a global secondary index
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};

using scan_result = item_page;

/// Throws system_error(errc::invalid_request) for an empty table name, a limit below 1, or a
/// segment without a valid total (or the reverse).
std::string to_body(const scan_request& request);
scan_result parse_scan_result(std::string_view body);

}  // namespace evstore::dynamodb
