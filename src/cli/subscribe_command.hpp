#pragma once
// `evstore subscribe`: follows the log as JSON Lines, with a checkpoint file and clean stops on
// SIGINT and SIGTERM.

#include <boost/asio/awaitable.hpp>

#include "commands.hpp"

namespace evstore::cli {

boost::asio::awaitable<void> follow_log(const command_context& context, const invocation& call);

}  // namespace evstore::cli
