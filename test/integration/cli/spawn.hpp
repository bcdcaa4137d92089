#pragma once
// Starting and reaping a child process, for run_process and background_process: the child gets
// the current environment plus the test's variables, and is never waited for without a bound.

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

/// posix_spawn_file_actions_t, destroyed with the object.
class spawn_file_actions {
 public:
  spawn_file_actions() { posix_spawn_file_actions_init(&actions_); }
  ~spawn_file_actions() { posix_spawn_file_actions_destroy(&actions_); }
  spawn_file_actions(const spawn_file_actions&) = delete;
  spawn_file_actions& operator=(const spawn_file_actions&) = delete;

  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_;
};

/// Starts argv[0] (searched in PATH unless it holds a '/') with the current environment plus
/// `environment` (which wins), its standard streams set up by `actions`. Throws
/// std::runtime_error naming the program when it cannot start.
inline pid_t spawn_process(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& environment,
                           spawn_file_actions& actions) {
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

  pid_t pid = 0;
  if (posix_spawnp(&pid, argp[0], actions.get(), nullptr, argp.data(), envp.data()) != 0)
    throw std::runtime_error("cannot start " + argv.front());
  return pid;
}

/// Waits up to `limit` for `pid` to end; when it has not, kills it (SIGKILL) and reaps it.
/// `wait_status` gets its wait status either way; returns whether it ended by itself.
inline bool wait_or_kill(pid_t pid, std::chrono::milliseconds limit, int& wait_status) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (::waitpid(pid, &wait_status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &wait_status, 0);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace evstore::test
