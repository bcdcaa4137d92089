#include "line_writer.hpp"

#include <cerrno>
#include <system_error>

#include "evstore/store/event_json.hpp"

namespace evstore::cli {
namespace {

constexpr std::size_t flush_bytes = 1 << 18;

[[noreturn]] void fail() {
  throw std::system_error(errno, std::generic_category(), "cannot write to standard output");
}

}  // namespace

line_writer::line_writer(std::FILE* out) : out_(out) {
  buffer_.reserve(flush_bytes + 4096);
}

line_writer::~line_writer() {
  if (buffer_.empty()) return;
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), out_) == buffer_.size()) std::fflush(out_);
}

void line_writer::write(const event& e) {
  write(to_json_line(e));
}

void line_writer::write(std::string_view line) {
  buffer_ += line;
  buffer_ += '\n';
  if (buffer_.size() >= flush_bytes) flush();
}

void line_writer::flush() {
  if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size())
    fail();
  buffer_.clear();
  if (std::fflush(out_) != 0) fail();
}

}  // namespace evstore::cli
