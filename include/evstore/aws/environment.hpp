#pragma once
// Environment variable lookup, injectable so configuration is tested without touching the
// process environment.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace evstore::aws {

/// Returns the variable's value, or nullopt when it is not set.
using environment = std::function<std::optional<std::string>(std::string_view name)>;

/// The process environment (std::getenv).
environment process_environment();

/// A fixed set of variables, for tests.
environment environment_from(std::map<std::string, std::string, std::less<>> variables);

}  // namespace evstore::aws
