#pragma once
// Runs a program to completion with given standard input and extra environment variables, and
// captures its exit status, stdout and stderr; bounded in time. For the tests that drive the
// `evstore` binary and the Node scripts around the TypeScript adapter.

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/cli/spawn.hpp"

namespace evstore::test {

struct process_result {
  int status = -1;  ///< exit status; -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Temporary files holding a child's streams, removed on destruction.
class process_files {
 public:
  process_files() {
    // Atomic: tests start processes from several threads at once, each needs its own folder.
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("evstore-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(dir_);
  }
  ~process_files() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  process_files(const process_files&) = delete;
  process_files& operator=(const process_files&) = delete;

  std::string path(const char* name) const { return (dir_ / name).string(); }

 private:
  std::filesystem::path dir_;
};

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Runs argv[0] (searched in PATH) with `input` on stdin and the current environment plus
/// `environment` (which wins). Throws std::runtime_error when it cannot start or runs longer
/// than `limit` (it is then killed).
inline process_result run_process(const std::vector<std::string>& argv, const std::string& input,
                                  const std::map<std::string, std::string>& environment,
                                  std::chrono::seconds limit = std::chrono::seconds(120)) {
  process_files files;
  {
    std::ofstream stdin_file(files.path("stdin"), std::ios::binary);
    stdin_file << input;
  }

  const std::string in_path = files.path("stdin");
  const std::string out_path = files.path("stdout");
  const std::string err_path = files.path("stderr");
  spawn_file_actions actions;
  posix_spawn_file_actions_addopen(actions.get(), 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(actions.get(), 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(actions.get(), 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  const pid_t pid = spawn_process(argv, environment, actions);

  int wait_status = 0;
  if (!wait_or_kill(pid, limit, wait_status))
    throw std::runtime_error(argv.front() + " ran longer than " + std::to_string(limit.count()) +
                             " s and was killed");
  process_result result;
  result.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
  result.out = read_whole_file(out_path);
  result.err = read_whole_file(err_path);
  return result;
}

}  // namespace evstore::test
