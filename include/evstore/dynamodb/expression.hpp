#pragma once
// Pieces shared by requests that carry expressions (conditions, updates, key conditions).

#include <map>
#include <string>

#include "evstore/dynamodb/attribute_value.hpp"

namespace evstore::dynamodb {

/// ExpressionAttributeNames: "#name" -> attribute name.
using expression_attribute_names = std::map<std::string, std::string, std::less<>>;
/// ExpressionAttributeValues: ":value" -> value.
using expression_attribute_values = attribute_map;

/// ReturnValues of PutItem, UpdateItem and DeleteItem.
enum class return_values { none, all_old, updated_old, all_new, updated_new };

/// ReturnValuesOnConditionCheckFailure: whether a failed condition returns the item.
enum class return_values_on_condition_check_failure { none, all_old };

}  // namespace evstore::dynamodb
