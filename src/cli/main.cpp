// `evstore`: the command-line tool. Everything but the process boundary lives in evstore_cli_lib.

#include <string_view>
#include <vector>

#include "app.hpp"

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + (argc > 0 ? 1 : 0), argv + argc);
  return evstore::cli::run(args);
}
