#include "commands.hpp"

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

#include <boost/system/system_error.hpp>

#include "event_lines.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"

namespace evstore::cli {
namespace {

/// JSON Lines to a stdio stream, in large writes: replay prints millions of lines, so no line
/// is flushed on its own.
class line_writer {
 public:
  explicit line_writer(std::FILE* out) : out_(out) { buffer_.reserve(flush_bytes + 4096); }

  void write(const event& e) {
    buffer_ += to_json_line(e);
    buffer_ += '\n';
    if (buffer_.size() >= flush_bytes) flush();
  }

  void flush() {
    if (!buffer_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size())
      fail();
    buffer_.clear();
    if (std::fflush(out_) != 0) fail();
  }

 private:
  static constexpr std::size_t flush_bytes = 1 << 18;

  [[noreturn]] static void fail() {
    throw std::system_error(errno, std::generic_category(), "cannot write to standard output");
  }

  std::FILE* out_;
  std::string buffer_;
};

boost::asio::awaitable<void> append(repo& store, const invocation& call, std::istream& in) {
  std::vector<event> events = read_event_lines(in, now_ms());
  if (events.empty()) co_return;
  append_options options;
  options.expected_sequence = call.expected_sequence;
  co_await store.append(std::move(events), options);
}

boost::asio::awaitable<void> replay_all(repo& store, const invocation& call, std::FILE* out) {
  line_writer writer(out);
  replay_options options;
  options.page_size = call.page_size;
  options.first_month = call.first_month;
  options.last_month = call.last_month;
  auto pages = store.all_events(options);
  while (auto page = co_await pages.next()) {
    for (const event& e : *page) writer.write(e);
  }
  writer.flush();
}

}  // namespace

boost::asio::awaitable<void> run_command(repo& store, const invocation& call, std::istream& in,
                                         std::FILE* out) {
  switch (call.command) {
    case command_kind::init:
      co_await store.init();
      break;
    case command_kind::reset:
      co_await store.reset_store(call.keep_objects);
      break;
    case command_kind::append:
      co_await append(store, call, in);
      break;
    case command_kind::replay:
      co_await replay_all(store, call, out);
      break;
    case command_kind::get: {
      auto found = co_await store.get_event_by_id(call.event_id);
      if (!found) {
        throw boost::system::system_error(make_error_code(store_errc::event_not_found),
                                          "no event with id '" + call.event_id + "'");
      }
      line_writer writer(out);
      writer.write(*found);
      writer.flush();
      break;
    }
    case command_kind::caused_by: {
      line_writer writer(out);
      const std::vector<event> caused = co_await store.find_by_causation_id(call.event_id);
      for (const event& e : caused) writer.write(e);
      writer.flush();
      break;
    }
  }
}

}  // namespace evstore::cli
