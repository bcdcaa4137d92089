#pragma once
// What Query and Scan share: the request fields of a paged read of a table or index, and the
// page they answer.

#include <string_view>

#include <boost/json/object.hpp>

#include "evstore/dynamodb/item_page.hpp"
#include "wire.hpp"

namespace evstore::dynamodb::detail {

/// The body fields common to `Request` (query_request, scan_request): table and index, filter,
/// projection, expression attributes, limit, start key, read consistency and capacity report.
/// The caller validates the request and adds its own fields.
template <class Request>
boost::json::object paged_read_body(const Request& request) {
  boost::json::object body{{"TableName", request.table_name}};
  put_optional_string(body, "IndexName", request.index_name);
  put_optional_string(body, "FilterExpression", request.filter_expression);
  put_optional_string(body, "ProjectionExpression", request.projection_expression);
  put_expression_attributes(body, request.names, request.values);
  if (request.limit) body.emplace("Limit", *request.limit);
  if (request.exclusive_start_key) {
    body.emplace("ExclusiveStartKey", to_json(*request.exclusive_start_key));
  }
  if (request.consistent_read) body.emplace("ConsistentRead", true);
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return body;
}

/// Reads a Query or Scan response (Items, Count, ScannedCount, LastEvaluatedKey,
/// ConsumedCapacity); errc::malformed_response names `operation` and the member at fault.
item_page parse_item_page(std::string_view body, std::string_view operation);

}  // namespace evstore::dynamodb::detail
