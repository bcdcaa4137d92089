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

/// The two JSON shapes of a value: DynamoDB's wire form ({"S":"x"}, {"N":"1"}, {"M":{...}}),
/// and the plain document form ("x", 1, {...}) of to_document_text.
enum class json_form { wire, document };

/// Appends a value, or an item (an object of values), in `form`: the wire form as to_json and
/// boost::json::serialize would write it; the document form with numbers as their decimal text
/// and NULL as null.
void append_json(std::string& out, const attribute_value& value, json_form form);
void append_json(std::string& out, const item& attributes, json_form form);

/// append_json in the wire form.
inline void append_wire_json(std::string& out, const attribute_value& value) {
  append_json(out, value, json_form::wire);
}
inline void append_wire_json(std::string& out, const item& attributes) {
  append_json(out, attributes, json_form::wire);
}

/// Appends `,"ExpressionAttributeNames":{...}` and `,"ExpressionAttributeValues":{...}` when
/// not empty.
void append_expression_attributes(std::string& out, const expression_attribute_names& names,
                                  const expression_attribute_values& values);

}  // namespace evstore::dynamodb::detail
