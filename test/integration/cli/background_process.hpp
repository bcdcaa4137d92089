#pragma once
// A program run in the background for a test (a server): its stdout comes through a pipe so the
// test can wait for the line saying it is ready; it is stopped (SIGTERM, then SIGKILL) when the
// object goes away. Bounded in time throughout.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration/cli/spawn.hpp"

namespace evstore::test {

class background_process {
 public:
  /// Starts argv[0] with the current environment plus `environment` (which wins).
  background_process(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& environment) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("cannot make a pipe");
    spawn_file_actions actions;
    posix_spawn_file_actions_adddup2(actions.get(), pipe_fds[1], 1);
    posix_spawn_file_actions_addopen(actions.get(), 0, "/dev/null", O_RDONLY, 0);
    try {
      pid_ = spawn_process(argv, environment, actions);
    } catch (...) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      throw;
    }
    ::close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
  }

  ~background_process() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    wait_or_kill(pid_, std::chrono::seconds(10), status);
    ::close(stdout_fd_);
  }
  background_process(const background_process&) = delete;
  background_process& operator=(const background_process&) = delete;

  /// The first line of its stdout (without the newline). Throws when none comes within `limit`
  /// or stdout closes first.
  std::string first_line(std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    std::string text;
    while (text.find('\n') == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) throw std::runtime_error("no line on stdout in time: " + text);
      pollfd ready{stdout_fd_, POLLIN, 0};
      if (::poll(&ready, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[256];
      const ssize_t got = ::read(stdout_fd_, buffer, sizeof buffer);
      if (got <= 0) throw std::runtime_error("stdout closed before a line: " + text);
      text.append(buffer, static_cast<std::size_t>(got));
    }
    return text.substr(0, text.find('\n'));
  }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
};

}  // namespace evstore::test
