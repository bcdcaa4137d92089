#pragma once
// Runs one `evstore` invocation: parses the arguments, talks to the store, writes results and
// errors, and returns the process exit status.

#include <span>
#include <string_view>

namespace evstore::cli {

/// The exit statuses other programs script against.
enum exit_status : int {
  exit_success = 0,
  exit_failure = 1,    ///< the store or the network failed
  exit_bad_input = 2,  ///< bad usage or bad input; nothing was written
  exit_conflict = 3,   ///< a stream's version was not the expected one
  exit_not_found = 4,  ///< no such event (get) or snapshot (snapshot)
};

/// The arguments after the program name; reads stdin, writes stdout and stderr.
int run(std::span<const std::string_view> args);

}  // namespace evstore::cli
