#pragma once
// The commands of `evstore`, each one coroutine over the store.

#include <cstdio>
#include <istream>

#include <boost/asio/awaitable.hpp>

#include "arguments.hpp"
#include "evstore/store/repo.hpp"

namespace evstore::cli {

/// Runs the parsed command: reads events from `in` (append), writes JSON Lines to `out`. Throws
/// what the store throws, input_error for bad input, std::system_error when `out` fails.
boost::asio::awaitable<void> run_command(repo& store, const invocation& call, std::istream& in,
                                         std::FILE* out);

}  // namespace evstore::cli
