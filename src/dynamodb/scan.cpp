#include "evstore/dynamodb/scan.hpp"

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

/// DynamoDB's upper bound on TotalSegments.
constexpr std::int32_t max_total_segments = 1'000'000;

}  // namespace

std::string to_body(const scan_request& request) {
  const auto operation = scan_request::operation;
  require_table_name(operation, request.table_name);
  if (request.limit && *request.limit < 1) invalid_request(operation, "the limit is below 1");
  if (request.segment.has_value() != request.total_segments.has_value())
    invalid_request(operation, "Segment and TotalSegments must be given together");
  if (request.total_segments &&
      (*request.total_segments < 1 || *request.total_segments > max_total_segments))
    invalid_request(operation, "TotalSegments is outside 1..1000000");
  if (request.segment && (*request.segment < 0 || *request.segment >= *request.total_segments))
    invalid_request(operation, "Segment is outside 0..TotalSegments-1");
  boost::json::object body{{"TableName", request.table_name}};
  put_optional_string(body, "IndexName", request.index_name);
  put_optional_string(body, "FilterExpression", request.filter_expression);
  put_optional_string(body, "ProjectionExpression", request.projection_expression);
  put_expression_attributes(body, request.names, request.values);
  if (request.limit) body.emplace("Limit", *request.limit);
  if (request.exclusive_start_key) {
    body.emplace("ExclusiveStartKey", to_json(*request.exclusive_start_key));
  }
  if (request.segment) {
    body.emplace("Segment", *request.segment);
    body.emplace("TotalSegments", *request.total_segments);
  }
  if (request.consistent_read) body.emplace("ConsistentRead", true);
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

scan_result parse_scan_result(std::string_view body) {
  const response_document response(body, scan_request::operation);
  const boost::json::object& o = response.object();
  const json_path& path = response.path();
  scan_result out;
  // Items is absent when the scan asked only for a count (Select COUNT).
  if (const auto* items = find(o, "Items")) out.items = item_list(*items, path.member("Items"));
  out.count =
      static_cast<std::int64_t>(expect_count(require(o, "Count", path), path.member("Count")));
  out.scanned_count = static_cast<std::int64_t>(
      expect_count(require(o, "ScannedCount", path), path.member("ScannedCount")));
  if (out.count != static_cast<std::int64_t>(out.items.size()) && find(o, "Items") != nullptr) {
    fail(errc::malformed_response, path.member("Count"),
         "Count " + std::to_string(out.count) + " differs from the " +
             std::to_string(out.items.size()) + " items returned");
  }
  out.last_evaluated_key = optional_item(o, "LastEvaluatedKey", path);
  out.consumed_capacity = optional_consumed_capacity(o, path);
  return out;
}

}  // namespace evstore::dynamodb
