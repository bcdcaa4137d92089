#include "evstore/dynamodb/batch_get_item.hpp"

#include "json_writer.hpp"
#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

keys_and_attributes parse_keys_and_attributes(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  keys_and_attributes out;
  out.keys = item_list(require(o, "Keys", path), path.member("Keys"));
  if (const auto* consistent = find(o, "ConsistentRead")) {
    out.consistent_read = expect_bool(*consistent, path.member("ConsistentRead"));
  }
  if (const auto* projection = find(o, "ProjectionExpression")) {
    out.projection_expression =
        std::string(expect_string(*projection, path.member("ProjectionExpression")));
  }
  if (const auto* names = find(o, "ExpressionAttributeNames")) {
    const json_path at = path.member("ExpressionAttributeNames");
    for (const auto& [placeholder, name] : expect_object(*names, at)) {
      out.names.emplace(std::string(placeholder),
                        std::string(expect_string(name, at.member(placeholder))));
    }
  }
  return out;
}

}  // namespace

std::string to_body(const batch_get_item_request& request) {
  const auto operation = batch_get_item_request::operation;
  std::size_t keys = 0;
  for (const auto& [table_name, wanted] : request.request_items) {
    require_table_name(operation, table_name);
    if (wanted.keys.empty()) invalid_request(operation, "no keys for table " + table_name);
    for (const auto& key : wanted.keys)
      if (key.empty()) invalid_request(operation, "an empty key for table " + table_name);
    keys += wanted.keys.size();
  }
  if (keys == 0) invalid_request(operation, "no keys to get");
  if (keys > batch_get_item_request::max_keys) {
    invalid_request(operation, std::to_string(keys) + " keys, more than the " +
                                   std::to_string(batch_get_item_request::max_keys) +
                                   " one request may ask for");
  }
  // Written as text: a hundred keys through a JSON document cost more than the request.
  std::string body = "{\"RequestItems\":{";
  bool first_table = true;
  for (const auto& [table_name, wanted] : request.request_items) {
    if (!first_table) body += ',';
    first_table = false;
    append_json_string(body, table_name);
    body += ":{\"Keys\":[";
    bool first_key = true;
    for (const auto& key : wanted.keys) {
      if (!first_key) body += ',';
      first_key = false;
      append_wire_json(body, key);
    }
    body += ']';
    if (wanted.consistent_read) body += ",\"ConsistentRead\":true";
    if (wanted.projection_expression) {
      body += ",\"ProjectionExpression\":";
      append_json_string(body, *wanted.projection_expression);
    }
    append_expression_attributes(body, wanted.names, {});
    body += '}';
  }
  body += '}';
  if (request.return_consumed_capacity != return_consumed_capacity::none) {
    body += ",\"ReturnConsumedCapacity\":";
    append_json_string(body, wire_name(request.return_consumed_capacity));
  }
  body += '}';
  return body;
}

batch_get_item_result parse_batch_get_item_result(std::string_view body) {
  const response_document response(body, batch_get_item_request::operation);
  const boost::json::object& o = response.object();
  const json_path& path = response.path();
  batch_get_item_result out;
  const json_path responses_path = path.member("Responses");
  for (const auto& [table, items] : expect_object(require(o, "Responses", path), responses_path)) {
    out.responses.emplace(std::string(table), item_list(items, responses_path.member(table)));
  }
  if (const auto* unprocessed = find(o, "UnprocessedKeys")) {
    const json_path at = path.member("UnprocessedKeys");
    for (const auto& [table, keys] : expect_object(*unprocessed, at)) {
      out.unprocessed_keys.emplace(std::string(table),
                                   parse_keys_and_attributes(keys, at.member(table)));
    }
  }
  out.consumed_capacity = consumed_capacity_list(o, path);
  return out;
}

}  // namespace evstore::dynamodb
