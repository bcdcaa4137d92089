#pragma once
// Request bodies written straight as JSON text (no boost::json document in between): the hot
// operations' bodies (BatchGetItem, TransactWriteItems) hold whole items whose strings would
// otherwise be copied into a document and then out of it.

#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/expression.hpp"

namespace evstore::dynamodb::detail {

/// Appends `value` as a JSON string literal (quotes, backslashes and control characters
/// escaped; other bytes as they are, as boost::json::serialize writes them).
void append_json_string(std::string& out, std::string_view value);

/// Appends the wire form of a value ({"S":"x"}, {"M":{...}}, ...) or of an item (an object of
/// wire-form values), as to_json and boost::json::serialize would write it.
void append_wire_json(std::string& out, const attribute_value& value);
void append_wire_json(std::string& out, const item& attributes);

/// Appends `,"ExpressionAttributeNames":{...}` and `,"ExpressionAttributeValues":{...}` when
/// not empty.
void append_expression_attributes(std::string& out, const expression_attribute_names& names,
                                  const expression_attribute_values& values);

}  // namespace evstore::dynamodb::detail
