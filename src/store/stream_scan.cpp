#include "stream_scan.hpp"

#include <stdexcept>
#include <string_view>
#include <utility>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "repo_state.hpp"
#include "store/item_codec.hpp"

namespace evstore {
namespace {

constexpr std::string_view head_id_prefix = "EventID#HEAD::";

[[noreturn]] void throw_corrupt(const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item), what);
}

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

stream_summary stream_summary_from_item(const dynamodb::item& item) {
  auto id = item.find("id");
  if (id == item.end() || id->second.type() != dynamodb::attribute_type::s) {
    throw_corrupt("a stream head item has no string id");
  }
  const std::string& text = id->second.as_string();
  if (!text.starts_with(head_id_prefix)) {
    throw_corrupt("the item '" + text + "' is not a stream head");
  }
  // Domains hold no "::" (validation refuses them), so the first one ends the domain.
  const std::string_view name = std::string_view(text).substr(head_id_prefix.size());
  const auto separator = name.find("::");
  if (separator == std::string_view::npos || separator == 0) {
    throw_corrupt("the stream head '" + text + "' does not name domain::identifier");
  }
  stream_summary summary;
  summary.domain = name.substr(0, separator);
  summary.identifier = name.substr(separator + 2);
  try {
    summary.version = head_version(std::optional<dynamodb::item>(item));
  } catch (const std::exception& e) {
    throw_corrupt("the stream head '" + text + "': " + e.what());
  }
  return summary;
}

boost::asio::awaitable<stream_scan_totals> scan_stream_heads(
    std::shared_ptr<repo_state> state,
    std::function<void(const std::vector<stream_summary>&)> on_page) {
  state->check_open("scan_streams");
  stream_scan_totals totals;
  std::optional<dynamodb::item> start;
  // Ends when DynamoDB reports no further key; a repeated key would loop forever, so it stops.
  while (true) {
    const dynamodb::scan_request request = stream_heads_request(state->table, start);
    dynamodb::scan_result page = co_await state->ddb.scan(request);
    totals.items_read += static_cast<std::uint64_t>(page.scanned_count);
    if (page.consumed_capacity) totals.capacity_units += page.consumed_capacity->capacity_units;
    std::vector<stream_summary> streams;
    streams.reserve(page.items.size());
    for (const dynamodb::item& item : page.items) {
      streams.push_back(stream_summary_from_item(item));
    }
    on_page(streams);
    if (!page.last_evaluated_key) break;
    if (start && *page.last_evaluated_key == *start) {
      throw std::runtime_error("the Scan of " + state->table + " returned the same page key twice");
    }
    start = std::move(page.last_evaluated_key);
  }
  co_return totals;
}

}  // namespace evstore
