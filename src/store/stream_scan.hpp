#pragma once
// repo::scan_streams: the streams of a table, read from their head items
// (`EventID#HEAD::<domain>::<identifier>`, `created` = `HEAD`, holding `version`) by a Scan that
// returns only those items, projected to id and version.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "evstore/dynamodb/scan.hpp"
#include "evstore/store/repo.hpp"

namespace evstore {

class repo_state;

/// One Scan page of head items; `start` continues after an earlier page.
dynamodb::scan_request stream_heads_request(std::string table_name,
                                            std::optional<dynamodb::item> start);

/// The stream a head item holds. Throws system_error(store_errc::corrupt_item) naming the item
/// when its id or version is not as the table layout says.
stream_summary stream_summary_from_item(const dynamodb::item& item);

boost::asio::awaitable<stream_scan_totals> scan_stream_heads(
    std::shared_ptr<repo_state> state,
    std::function<void(const std::vector<stream_summary>&)> on_page);

}  // namespace evstore
