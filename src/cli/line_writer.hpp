#pragma once
// JSON Lines to a stdio stream in large writes: replay prints millions of lines, so no line is
// flushed on its own.

#include <cstdio>
#include <string>
#include <string_view>

#include "evstore/store/event.hpp"

namespace evstore::cli {

class line_writer {
 public:
  explicit line_writer(std::FILE* out);
  /// Writes what is still buffered, errors ignored: when a command fails mid-way (a replay),
  /// the complete lines read so far still reach the output, so a resume can start after the
  /// last one.
  ~line_writer();
  line_writer(const line_writer&) = delete;
  line_writer& operator=(const line_writer&) = delete;

  void write(const event& e);
  /// `line` must hold no newline.
  void write(std::string_view line);
  /// Throws std::system_error when the stream fails (a closed pipe, a full disk).
  void flush();

 private:
  std::FILE* out_;
  std::string buffer_;
};

}  // namespace evstore::cli
