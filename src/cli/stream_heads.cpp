#include "stream_heads.hpp"

#include <stdexcept>
#include <string_view>
#include <utility>

#include "evstore/store/item_codec.hpp"

namespace evstore::cli {
namespace {

constexpr std::string_view head_id_prefix = "EventID#HEAD::";

}  // namespace

dynamodb::scan_request stream_heads_request(std::string table_name,
                                            std::optional<dynamodb::item> start) {
  dynamodb::scan_request request;
  request.table_name = std::move(table_name);
  // Placeholders for every name: `created` and friends must not collide with reserved words.
  request.filter_expression = "#created = :head AND begins_with(#id, :prefix)";
  request.projection_expression = "#id, #version";
  request.names = {{"#id", "id"}, {"#created", "created"}, {"#version", "version"}};
  request.values = {{":head", dynamodb::attribute_value::string(std::string(head_created_value))},
                    {":prefix", dynamodb::attribute_value::string(std::string(head_id_prefix))}};
  request.exclusive_start_key = std::move(start);
  request.return_consumed_capacity = dynamodb::return_consumed_capacity::total;
  return request;
}

stream_head stream_head_from_item(const dynamodb::item& item) {
  auto id = item.find("id");
  if (id == item.end() || id->second.type() != dynamodb::attribute_type::s) {
    throw std::runtime_error("a stream head item has no string id");
  }
  const std::string& text = id->second.as_string();
  if (!text.starts_with(head_id_prefix)) {
    throw std::runtime_error("the item '" + text + "' is not a stream head");
  }
  // Domains hold no "::" (validation refuses them), so the first one ends the domain.
  const std::string_view name = std::string_view(text).substr(head_id_prefix.size());
  const auto separator = name.find("::");
  if (separator == std::string_view::npos || separator == 0) {
    throw std::runtime_error("the stream head '" + text + "' does not name domain::identifier");
  }
  stream_head head;
  head.domain = name.substr(0, separator);
  head.identifier = name.substr(separator + 2);
  try {
    head.version = head_version(std::optional<dynamodb::item>(item));
  } catch (const std::exception& e) {
    throw std::runtime_error("the stream head '" + text + "': " + e.what());
  }
  return head;
}

boost::asio::awaitable<scan_totals> scan_stream_heads(
    dynamodb::client& client, std::string table_name,
    std::function<void(const std::vector<stream_head>&)> on_page) {
  scan_totals totals;
  std::optional<dynamodb::item> start;
  // Ends when DynamoDB reports no further key; a repeated key would loop forever, so it stops.
  while (true) {
    const dynamodb::scan_request request = stream_heads_request(table_name, start);
    dynamodb::scan_result page = co_await client.scan(request);
    totals.items_read += static_cast<std::uint64_t>(page.scanned_count);
    if (page.consumed_capacity) totals.capacity_units += page.consumed_capacity->capacity_units;
    std::vector<stream_head> heads;
    heads.reserve(page.items.size());
    for (const dynamodb::item& item : page.items) heads.push_back(stream_head_from_item(item));
    on_page(heads);
    if (!page.last_evaluated_key) break;
    if (start && *page.last_evaluated_key == *start) {
      throw std::runtime_error("the Scan of " + table_name + " returned the same page key twice");
    }
    start = std::move(page.last_evaluated_key);
  }
  co_return totals;
}

}  // namespace evstore::cli
