#include "subscribe_command.hpp"

#include <csignal>
#include <cstdio>
#include <string>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/this_coro.hpp>

#include "checkpoint_file.hpp"
#include "line_writer.hpp"

namespace evstore::cli {

boost::asio::awaitable<void> follow_log(const command_context& context, const invocation& call) {
  subscription_options options;
  options.from = call.subscribe_from_now ? subscription_start::now : subscription_start::beginning;
  if (call.checkpoint_file) options.checkpoint = read_checkpoint_file(*call.checkpoint_file);
  if (call.idle_exit_seconds) options.idle_limit = std::chrono::seconds{*call.idle_exit_seconds};
  options.domains = call.subscribe_domains;
  options.types = call.subscribe_types;
  if (call.subscribe_page_size) options.page_size = *call.subscribe_page_size;
  subscription follow = context.store.subscribe(options);

  // A signal lets the page being read finish (written, then saved) before the tool exits.
  boost::asio::signal_set signals(co_await boost::asio::this_coro::executor, SIGINT, SIGTERM);
  signals.async_wait([&follow](const boost::system::error_code& error, int) {
    if (!error) follow.stop();
  });
  struct stop_listening {
    boost::asio::signal_set& signals;
    ~stop_listening() { signals.cancel(); }
  } listening{signals};

  line_writer writer(context.out);
  std::uint64_t reported_late = 0;
  while (std::optional<subscription_page> page = co_await follow.next()) {
    for (const event& e : page->events) writer.write(e);
    writer.flush();
    if (call.checkpoint_file) save_checkpoint_file(*call.checkpoint_file, page->checkpoint);
    const std::uint64_t late = follow.stats().late_beyond_bound;
    if (late > reported_late) {
      std::fprintf(stderr,
                   "evstore subscribe: warning: %llu event(s) became visible later than the "
                   "late window (10 s behind the sweep): written late, out of replay order\n",
                   static_cast<unsigned long long>(late - reported_late));
      reported_late = late;
    }
  }
  // Events filtered out after the last page moved the position on too.
  const std::string last = follow.checkpoint();
  if (call.checkpoint_file && !last.empty()) save_checkpoint_file(*call.checkpoint_file, last);
}

}  // namespace evstore::cli
