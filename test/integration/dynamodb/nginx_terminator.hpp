#pragma once
// Debian's nginx run by a test as a TLS terminator in front of a plain HTTP server: a temporary
// folder holds its configuration, certificate, key and logs; it listens on a free loopback port
// (on 127.0.0.1 and 127.0.0.2, which Linux routes to the loopback device too) and is stopped and
// removed with the object. A missing nginx is an error, never a skipped test.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "support/local_http_server.hpp"

extern char** environ;

namespace evstore::test {

/// The nginx binary: on PATH, or where Debian's nginx-light and nginx packages put it.
inline std::string find_nginx() {
  std::vector<std::filesystem::path> candidates;
  if (const char* path = std::getenv("PATH")) {
    std::string dirs = path;
    for (std::size_t start = 0; start <= dirs.size();) {
      const std::size_t end = std::min(dirs.find(':', start), dirs.size());
      if (end > start)
        candidates.push_back(std::filesystem::path(dirs.substr(start, end - start)) / "nginx");
      start = end + 1;
    }
  }
  candidates.emplace_back("/usr/sbin/nginx");
  for (const auto& candidate : candidates)
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  throw std::runtime_error(
      "nginx is not installed (Debian package nginx-light; scripts/install-deps installs it): "
      "the TLS terminator test cannot run");
}

class nginx_terminator {
 public:
  /// Terminates TLS with `identity` and forwards to `upstream` ("127.0.0.1:8000").
  nginx_terminator(const tls_identity& identity, const std::string& upstream)
      : dir_(std::filesystem::temp_directory_path() /
             ("evstore-nginx-" + std::to_string(::getpid()) + "-" +
              std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))),
        port_(free_loopback_port()) {
    const std::string nginx = find_nginx();
    std::filesystem::create_directories(dir_);
    write("server.pem", identity.certificate_chain_pem);
    write("server.key", identity.private_key_pem);
    const std::string d = dir_.string();
    const std::string listen_port = std::to_string(port_);
    write("nginx.conf",
          "daemon off;\n"
          "master_process off;\n"
          "worker_processes 1;\n"
          "pid " +
              d +
              "/nginx.pid;\n"
              "error_log " +
              d +
              "/error.log info;\n"
              "events { worker_connections 64; }\n"
              "http {\n"
              "  access_log off;\n"
              "  client_body_temp_path " +
              d +
              "/body;\n"
              "  proxy_temp_path " +
              d +
              "/proxy;\n"
              "  client_max_body_size 32m;\n"
              "  server {\n"
              "    listen 127.0.0.1:" +
              listen_port +
              " ssl;\n"
              "    listen 127.0.0.2:" +
              listen_port +
              " ssl;\n"
              "    ssl_certificate " +
              d +
              "/server.pem;\n"
              "    ssl_certificate_key " +
              d +
              "/server.key;\n"
              "    ssl_protocols TLSv1.2 TLSv1.3;\n"
              "    location / {\n"
              "      proxy_pass http://" +
              upstream +
              ";\n"
              "      proxy_http_version 1.1;\n"
              "      proxy_set_header Host $http_host;\n"
              "      proxy_set_header Connection \"\";\n"
              "    }\n"
              "  }\n"
              "}\n");
    start(nginx);
  }

  ~nginx_terminator() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  nginx_terminator(const nginx_terminator&) = delete;
  nginx_terminator& operator=(const nginx_terminator&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// "https://<host>:<port>".
  std::string url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(port_);
  }
  /// nginx's error log so far (for failure messages).
  std::string error_log() const {
    std::ifstream in(dir_ / "error.log");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  void stop() noexcept {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
  }

  static std::uint16_t free_loopback_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return probe.local_endpoint().port();
  }

  void write(const char* name, const std::string& contents) {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << contents;
    if (!out) throw std::runtime_error("cannot write " + (dir_ / name).string());
  }

  void start(const std::string& nginx) {
    const std::string prefix = dir_.string() + "/";
    const std::string conf = (dir_ / "nginx.conf").string();
    const std::string log = (dir_ / "stderr.log").string();
    std::vector<std::string> args = {
        nginx, "-p", prefix, "-c", conf, "-e", (dir_ / "error.log").string()};
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      pid_ = -1;
      throw std::runtime_error("cannot start " + nginx);
    }
    // Ready once both addresses accept a connection; bounded, and a dead nginx ends the wait.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        std::ifstream in(log);
        throw std::runtime_error("nginx exited at start: " +
                                 std::string(std::istreambuf_iterator<char>(in), {}) + error_log());
      }
      if (accepts("127.0.0.1") && accepts("127.0.0.2")) return;
      if (std::chrono::steady_clock::now() > deadline) {
        stop();
        throw std::runtime_error("nginx did not listen on port " + std::to_string(port_) +
                                 " within 10 s: " + error_log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  bool accepts(const char* address) const {
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    socket.connect({boost::asio::ip::make_address(address), port_}, ec);
    return !ec;
  }

  std::filesystem::path dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

}  // namespace evstore::test
