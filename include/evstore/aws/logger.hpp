#pragma once
// The diagnostics hook every layer reports through (retries, throttles, refreshed credentials).
// evstore::repo_options::log is this type; the default (empty) is silent.

#include <functional>
#include <string_view>

namespace evstore::aws {

enum class log_level { debug, info, warning, error };

/// Receives diagnostics, never secrets. May be called from any thread running the executor.
using logger = std::function<void(log_level, std::string_view message)>;

}  // namespace evstore::aws
