#pragma once
// The help texts of `evstore`: the tool's and each command's (options, output, exit statuses).

#include <string>

#include "arguments.hpp"

namespace evstore::cli {

std::string tool_help();
std::string command_help(command_kind command);

}  // namespace evstore::cli
