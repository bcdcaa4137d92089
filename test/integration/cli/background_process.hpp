#pragma once
// A program run in the background for a test (a server): its stdout comes through a pipe so the
// test can wait for the line saying it is ready; it is stopped (SIGTERM, then SIGKILL) when the
// object goes away. Bounded in time throughout.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace evstore::test {

class background_process {
 public:
  /// Starts argv[0] with the current environment plus `environment` (which wins).
  background_process(const std::vector<std::string>& argv,
                     const std::map<std::string, std::string>& environment) {
    std::vector<std::string> env_strings;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      std::string text(*entry);
      if (!environment.contains(text.substr(0, text.find('=')))) env_strings.push_back(text);
    }
    for (const auto& [name, value] : environment) env_strings.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& text : env_strings) envp.push_back(text.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& arg : args) argp.push_back(arg.data());
    argp.push_back(nullptr);

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("cannot make a pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const int spawned = posix_spawn(&pid_, argp[0], &actions, nullptr, argp.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    stdout_fd_ = pipe_fds[0];
    if (spawned != 0) {
      ::close(stdout_fd_);
      throw std::runtime_error("cannot start " + argv.front());
    }
  }

  ~background_process() {
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
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
