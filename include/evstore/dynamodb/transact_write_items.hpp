#pragma once
// TransactWriteItems: up to 100 puts, updates, deletes and condition checks, all or nothing.
// A cancelled transaction throws service_error with one cancellation_reason per action.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"

namespace evstore::dynamodb {

struct transact_put {
  std::string table_name{};
  dynamodb::item item{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};

struct transact_update {
  std::string table_name{};
  item key{};
  std::string update_expression{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};

struct transact_delete {
  std::string table_name{};
  item key{};
  std::optional<std::string> condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};

struct transact_condition_check {
  std::string table_name{};
  item key{};
  std::string condition_expression{};
  expression_attribute_names names{};
  expression_attribute_values values{};
  dynamodb::return_values_on_condition_check_failure return_values_on_condition_check_failure =
      return_values_on_condition_check_failure::none;
};

using transact_write_item =
    std::variant<transact_put, transact_update, transact_delete, transact_condition_check>;

struct transact_write_items_request {
  static constexpr std::string_view operation = "TransactWriteItems";
  static constexpr std::size_t max_items = 100;
  std::vector<transact_write_item> items{};
  /// Makes a retry within 10 minutes idempotent; at most 36 characters.
  std::optional<std::string> client_request_token{};
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};

struct transact_write_items_result {
  std::vector<dynamodb::consumed_capacity> consumed_capacity{};
};

/// Throws system_error(errc::invalid_request) for no items or more than max_items.
std::string to_body(const transact_write_items_request& request);
transact_write_items_result parse_transact_write_items_result(std::string_view body);

}  // namespace evstore::dynamodb
