#pragma once
// A snapshot as the one JSON line `evstore snapshot` writes:
// {"domain", "identifier", "sequence", "state", "created"}. Pure.

#include <string>

#include "evstore/store/repo.hpp"

namespace evstore::cli {

/// The line, without the newline. `state` is the snapshot's JSON value itself (not a string);
/// `created` is omitted when unset. Throws std::runtime_error when state_json is not JSON.
std::string snapshot_json_line(const snapshot& value);

}  // namespace evstore::cli
