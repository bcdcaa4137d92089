#pragma once
// The commands of `evstore`, each one coroutine over the store.

#include <cstdio>
#include <istream>
#include <stdexcept>

#include <boost/asio/awaitable.hpp>

#include "arguments.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/store/repo.hpp"

namespace evstore::cli {

/// What was asked for does not exist (an event, a snapshot). Exit status 4.
class not_found_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a command works with.
struct command_context {
  repo& store;
  std::istream& in;  ///< events for append
  std::FILE* out;    ///< results
  /// Where progress goes (a terminal's stderr); nullptr: none.
  std::FILE* progress;
};

/// Runs the parsed command. Throws what the store throws, input_error for bad input,
/// not_found_error, std::system_error when `out` fails.
boost::asio::awaitable<void> run_command(const invocation& call, command_context context);

}  // namespace evstore::cli
