#include "evstore/dynamodb/items.hpp"

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

void require_key(std::string_view operation, const item& key) {
  if (key.empty()) invalid_request(operation, "the key is empty");
}

void put_return_values(boost::json::object& body, return_values v) {
  if (v != return_values::none) body.emplace("ReturnValues", wire_name(v));
}

void put_return_values_on_failure(boost::json::object& body,
                                  return_values_on_condition_check_failure v) {
  if (v != return_values_on_condition_check_failure::none) {
    body.emplace("ReturnValuesOnConditionCheckFailure", wire_name(v));
  }
}

template <class Result>
Result parse_attributes_result(std::string_view body, std::string_view operation) {
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_body(body, operation, resource);
  const boost::json::object& o = document.get_object();
  const json_path path{nullptr, operation};
  return {optional_item(o, "Attributes", path), optional_consumed_capacity(o, path)};
}

}  // namespace

std::string to_body(const put_item_request& request) {
  const auto operation = put_item_request::operation;
  require_table_name(operation, request.table_name);
  if (request.item.empty()) invalid_request(operation, "the item has no attributes");
  boost::json::object body{{"TableName", request.table_name}, {"Item", to_json(request.item)}};
  put_optional_string(body, "ConditionExpression", request.condition_expression);
  put_expression_attributes(body, request.names, request.values);
  put_return_values(body, request.return_values);
  put_return_values_on_failure(body, request.return_values_on_condition_check_failure);
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

std::string to_body(const get_item_request& request) {
  const auto operation = get_item_request::operation;
  require_table_name(operation, request.table_name);
  require_key(operation, request.key);
  boost::json::object body{{"TableName", request.table_name}, {"Key", to_json(request.key)}};
  if (request.consistent_read) body.emplace("ConsistentRead", true);
  put_optional_string(body, "ProjectionExpression", request.projection_expression);
  put_expression_attributes(body, request.names, {});
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

std::string to_body(const update_item_request& request) {
  const auto operation = update_item_request::operation;
  require_table_name(operation, request.table_name);
  require_key(operation, request.key);
  if (request.update_expression.empty())
    invalid_request(operation, "the update expression is empty");
  boost::json::object body{{"TableName", request.table_name},
                           {"Key", to_json(request.key)},
                           {"UpdateExpression", request.update_expression}};
  put_optional_string(body, "ConditionExpression", request.condition_expression);
  put_expression_attributes(body, request.names, request.values);
  put_return_values(body, request.return_values);
  put_return_values_on_failure(body, request.return_values_on_condition_check_failure);
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

std::string to_body(const delete_item_request& request) {
  const auto operation = delete_item_request::operation;
  require_table_name(operation, request.table_name);
  require_key(operation, request.key);
  boost::json::object body{{"TableName", request.table_name}, {"Key", to_json(request.key)}};
  put_optional_string(body, "ConditionExpression", request.condition_expression);
  put_expression_attributes(body, request.names, request.values);
  put_return_values(body, request.return_values);
  put_return_values_on_failure(body, request.return_values_on_condition_check_failure);
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

put_item_result parse_put_item_result(std::string_view body) {
  return parse_attributes_result<put_item_result>(body, put_item_request::operation);
}

get_item_result parse_get_item_result(std::string_view body) {
  const auto operation = get_item_request::operation;
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_body(body, operation, resource);
  const boost::json::object& o = document.get_object();
  const json_path path{nullptr, operation};
  return {optional_item(o, "Item", path), optional_consumed_capacity(o, path)};
}

update_item_result parse_update_item_result(std::string_view body) {
  return parse_attributes_result<update_item_result>(body, update_item_request::operation);
}

delete_item_result parse_delete_item_result(std::string_view body) {
  return parse_attributes_result<delete_item_result>(body, delete_item_request::operation);
}

}  // namespace evstore::dynamodb
