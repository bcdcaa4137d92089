#pragma once
// The streams of a table, read from their head items (`EventID#HEAD::<domain>::<identifier>`,
// `created` = `HEAD`, holding `version`) by a Scan that returns only those items, projected to
// id and version. The Scan still reads every item of the table: its cost is the table's size.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "evstore/dynamodb/client.hpp"

namespace evstore::cli {

struct stream_head {
  std::string domain;
  std::string identifier;  ///< empty for events without one
  std::uint64_t version = 0;
};

/// One Scan page of head items; `start` continues after an earlier page.
dynamodb::scan_request stream_heads_request(std::string table_name,
                                            std::optional<dynamodb::item> start);

/// The stream a head item holds. Throws std::runtime_error naming the item when its id or
/// version is not as the table layout says.
stream_head stream_head_from_item(const dynamodb::item& item);

/// What a whole Scan read.
struct scan_totals {
  std::uint64_t items_read = 0;  ///< items the Scan evaluated (every item of the table)
  double capacity_units = 0;     ///< read capacity the Scan consumed
};

/// Reads every head item of `table_name`, handing each page's streams to `on_page`. Throws what
/// the client throws, and std::runtime_error if DynamoDB hands back the same page key twice.
boost::asio::awaitable<scan_totals> scan_stream_heads(
    dynamodb::client& client, std::string table_name,
    std::function<void(const std::vector<stream_head>&)> on_page);

}  // namespace evstore::cli
