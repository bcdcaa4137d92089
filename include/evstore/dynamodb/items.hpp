#pragma once
// Single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.

#include <optional>
#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"

namespace evstore::dynamodb {

struct put_item_request {
  static constexpr std::string_view operation = "PutItem";
  std::string table_name{};
  dynamodb::item item{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  /// none or all_old (the only two PutItem accepts).
  dynamodb::return_values return_values = return_values::none;
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
  /// all_old: a failed condition's service_error carries the stored item (old_item()).
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};
struct put_item_result {
  std::optional<dynamodb::item> attributes{};  ///< the old item, with return_values::all_old
  std::optional<dynamodb::consumed_capacity> consumed_capacity{};
};

struct get_item_request {
  static constexpr std::string_view operation = "GetItem";
  std::string table_name{};
  dynamodb::item key{};
  bool consistent_read = false;
  std::optional<std::string> projection_expression{};
  expression_attribute_names names{};
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};
struct get_item_result {
  std::optional<dynamodb::item> item{};  ///< nullopt when no item has the key
  std::optional<dynamodb::consumed_capacity> consumed_capacity{};
};

struct update_item_request {
  static constexpr std::string_view operation = "UpdateItem";
  std::string table_name{};
  dynamodb::item key{};
  std::string update_expression{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  dynamodb::return_values return_values = return_values::none;
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};
struct update_item_result {
  std::optional<dynamodb::item> attributes{};
  std::optional<dynamodb::consumed_capacity> consumed_capacity{};
};

struct delete_item_request {
  static constexpr std::string_view operation = "DeleteItem";
  std::string table_name{};
  dynamodb::item key{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  /// none or all_old.
  dynamodb::return_values return_values = return_values::none;
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};
struct delete_item_result {
  std::optional<dynamodb::item> attributes{};
  std::optional<dynamodb::consumed_capacity> consumed_capacity{};
};

std::string to_body(const put_item_request& request);
std::string to_body(const get_item_request& request);
std::string to_body(const update_item_request& request);
std::string to_body(const delete_item_request& request);

put_item_result parse_put_item_result(std::string_view body);
get_item_result parse_get_item_result(std::string_view body);
update_item_result parse_update_item_result(std::string_view body);
delete_item_result parse_delete_item_result(std::string_view body);

}  // namespace evstore::dynamodb
