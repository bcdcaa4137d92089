#pragma once
// The commands that read the whole table with a Scan of the stream head items
// (repo::scan_streams): `streams` and `stats`.

#include <boost/asio/awaitable.hpp>

#include "arguments.hpp"
#include "commands.hpp"

namespace evstore::cli {

/// Writes every stream with its version, one JSON object a line.
boost::asio::awaitable<void> list_streams(const command_context& context);

/// Writes the table's counts and this run's request metrics, as text or (--json) one object.
boost::asio::awaitable<void> write_stats(const command_context& context, const invocation& call);

}  // namespace evstore::cli
