#include "checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <system_error>

#include "event_lines.hpp"

namespace evstore::cli {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::system_error(errno, std::generic_category(), what + " checkpoint file " + path);
}

/// Closes a descriptor on every way out.
class descriptor {
 public:
  explicit descriptor(int fd) : fd_(fd) {}
  ~descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  descriptor(const descriptor&) = delete;
  descriptor& operator=(const descriptor&) = delete;
  int get() const { return fd_; }
  /// Closes now, reporting the error close can give (a delayed write failure).
  bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::optional<std::string> read_checkpoint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return std::nullopt;
    fail("cannot open", path);
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string checkpoint = text.str();
  while (!checkpoint.empty() && (checkpoint.back() == '\n' || checkpoint.back() == '\r'))
    checkpoint.pop_back();
  if (checkpoint.empty())
    throw input_error("checkpoint file " + path + " is empty: remove it to start afresh");
  return checkpoint;
}

void save_checkpoint_file(const std::string& path, const std::string& checkpoint) {
  const std::string temporary = path + ".tmp";
  {
    descriptor file(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (file.get() < 0) fail("cannot create", temporary);
    const std::string text = checkpoint + "\n";
    std::size_t written = 0;
    while (written < text.size()) {
      const ssize_t n = ::write(file.get(), text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot write", temporary);
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(file.get()) != 0) fail("cannot flush", temporary);
    if (!file.close()) fail("cannot close", temporary);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) fail("cannot rename over", path);
  descriptor directory(::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (directory.get() < 0 || ::fsync(directory.get()) != 0)
    fail("cannot flush the folder of", path);
}

}  // namespace evstore::cli
