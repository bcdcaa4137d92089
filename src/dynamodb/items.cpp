#include "evstore/dynamodb/items.hpp"

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

void require_key(std::string_view operation, const item& key) {
  if (key.empty()) invalid_request(operation, "the key is empty");
}

// PutItem, UpdateItem and DeleteItem end their bodies with the same optional members.
template <class WriteRequest>
std::string finish_write_body(boost::json::object& body, const WriteRequest& request) {
  put_optional_string(body, "ConditionExpression", request.condition_expression);
  put_expression_attributes(body, request.names, request.values);
  if (request.return_values != return_values::none) {
    body.emplace("ReturnValues", wire_name(request.return_values));
  }
  if (request.return_values_on_condition_check_failure !=
      return_values_on_condition_check_failure::none) {
    body.emplace("ReturnValuesOnConditionCheckFailure",
                 wire_name(request.return_values_on_condition_check_failure));
  }
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

// The four results are an optional item under `member` and the consumed capacity.
template <class Result>
Result parse_item_result(std::string_view body, std::string_view operation,
                         std::string_view member) {
  const response_document response(body, operation);
  return {optional_item(response.object(), member, response.path()),
          optional_consumed_capacity(response.object(), response.path())};
}

}  // namespace

std::string to_body(const put_item_request& request) {
  const auto operation = put_item_request::operation;
  require_table_name(operation, request.table_name);
  if (request.item.empty()) invalid_request(operation, "the item has no attributes");
  boost::json::object body{{"TableName", request.table_name}, {"Item", to_json(request.item)}};
  return finish_write_body(body, request);
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
  return finish_write_body(body, request);
}

std::string to_body(const delete_item_request& request) {
  const auto operation = delete_item_request::operation;
  require_table_name(operation, request.table_name);
  require_key(operation, request.key);
  boost::json::object body{{"TableName", request.table_name}, {"Key", to_json(request.key)}};
  return finish_write_body(body, request);
}

put_item_result parse_put_item_result(std::string_view body) {
  return parse_item_result<put_item_result>(body, put_item_request::operation, "Attributes");
}

get_item_result parse_get_item_result(std::string_view body) {
  return parse_item_result<get_item_result>(body, get_item_request::operation, "Item");
}

update_item_result parse_update_item_result(std::string_view body) {
  return parse_item_result<update_item_result>(body, update_item_request::operation, "Attributes");
}

delete_item_result parse_delete_item_result(std::string_view body) {
  return parse_item_result<delete_item_result>(body, delete_item_request::operation, "Attributes");
}

}  // namespace evstore::dynamodb
