#pragma once
// BatchGetItem: up to 100 items by key, from one or several tables. What DynamoDB did not read
// (a response passing 16 MB, throttling) comes back in unprocessed_keys, to ask for again.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"

namespace evstore::dynamodb {

/// The keys to read from one table, and how.
struct keys_and_attributes {
  std::vector<item> keys{};
  bool consistent_read = false;
  std::optional<std::string> projection_expression{};
  expression_attribute_names names{};
};

struct batch_get_item_request {
  static constexpr std::string_view operation = "BatchGetItem";
  static constexpr std::size_t max_keys = 100;
  /// Table name -> keys.
  std::map<std::string, keys_and_attributes, std::less<>> request_items{};
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};

struct batch_get_item_result {
  /// Table name -> the items found (in no particular order; missing keys are simply absent).
  std::map<std::string, std::vector<item>, std::less<>> responses{};
  /// Table name -> keys not read this time, with the request's options; empty when all were.
  std::map<std::string, keys_and_attributes, std::less<>> unprocessed_keys{};
  std::vector<dynamodb::consumed_capacity> consumed_capacity{};
};

/// Throws system_error(errc::invalid_request) for no keys or more than max_keys in total.
std::string to_body(const batch_get_item_request& request);
batch_get_item_result parse_batch_get_item_result(std::string_view body);

}  // namespace evstore::dynamodb
