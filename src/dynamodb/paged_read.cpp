#include "paged_read.hpp"

#include <string>

namespace evstore::dynamodb::detail {

item_page parse_item_page(std::string_view body, std::string_view operation) {
  const response_document response(body, operation);
  const boost::json::object& o = response.object();
  const json_path& path = response.path();
  item_page out;
  // Items is absent when the request asked only for a count (Select COUNT).
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

}  // namespace evstore::dynamodb::detail
