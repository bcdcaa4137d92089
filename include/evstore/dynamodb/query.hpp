#pragma once
// Query: the items of one partition (of the table or of an index), a page at a time.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"
#include "evstore/dynamodb/item_page.hpp"

namespace evstore::dynamodb {

struct query_request {
  static constexpr std::string_view operation = "Query";
  std::string table_name{};
  std::optional<std::string> index_name{};
  std::string key_condition_expression{};
  std::optional<std::string> filter_expression{};
  std::optional<std::string> projection_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  /// Items evaluated per page (before the filter), at most; DynamoDB also stops at 1 MB.
  std::optional<std::int32_t> limit{};
  /// The previous page's last_evaluated_key, to continue after it.
  std::optional<item> exclusive_start_key{};
  bool scan_index_forward = true;
  bool consistent_read = false;  ///< rejected by DynamoDB on a global secondary index
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};

using query_result = item_page;

std::string to_body(const query_request& request);
query_result parse_query_result(std::string_view body);

}  // namespace evstore::dynamodb
