#pragma once
// Events as JSON Lines, the form `evstore append` reads and `replay`, `get` and `caused-by` write.

#include <istream>
#include <stdexcept>
#include <vector>

#include "evstore/store/event.hpp"

namespace evstore::cli {

/// A line of input that is not an acceptable event; what() names the line. Exit status 2.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Reads every line of `in` (blank lines skipped), each one event object, and checks them all as
/// append will: events without an id get a UUID; events without created keep none (the store
/// gives them a time that keeps their stream's order); a `sequence` member is ignored (the store
/// assigns it). Throws input_error naming the first bad line (1-based) and what is wrong with it,
/// so nothing is written.
std::vector<event> read_event_lines(std::istream& in);

}  // namespace evstore::cli
