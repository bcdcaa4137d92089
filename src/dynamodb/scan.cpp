#include "evstore/dynamodb/scan.hpp"

#include <boost/json/serialize.hpp>

#include "paged_read.hpp"

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
  boost::json::object body = paged_read_body(request);
  if (request.segment) {
    body.emplace("Segment", *request.segment);
    body.emplace("TotalSegments", *request.total_segments);
  }
  return boost::json::serialize(body);
}

scan_result parse_scan_result(std::string_view body) {
  return parse_item_page(body, scan_request::operation);
}

}  // namespace evstore::dynamodb
