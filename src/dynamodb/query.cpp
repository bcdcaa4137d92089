#include "evstore/dynamodb/query.hpp"

#include <boost/json/serialize.hpp>

#include "paged_read.hpp"

namespace evstore::dynamodb {

using namespace detail;

std::string to_body(const query_request& request) {
  const auto operation = query_request::operation;
  require_table_name(operation, request.table_name);
  if (request.key_condition_expression.empty()) {
    invalid_request(operation, "the key condition expression is empty");
  }
  if (request.limit && *request.limit < 1) invalid_request(operation, "the limit is below 1");
  boost::json::object body = paged_read_body(request);
  body.emplace("KeyConditionExpression", request.key_condition_expression);
  if (!request.scan_index_forward) body.emplace("ScanIndexForward", false);
  return boost::json::serialize(body);
}

query_result parse_query_result(std::string_view body) {
  return parse_item_page(body, query_request::operation);
}

}  // namespace evstore::dynamodb
