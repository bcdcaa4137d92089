#include "scan_commands.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "evstore/store/repo.hpp"
#include "line_writer.hpp"
#include "progress.hpp"
#include "stats.hpp"

namespace evstore::cli {

using boost::asio::awaitable;

awaitable<void> list_streams(const command_context& context) {
  line_writer writer(context.out);
  progress_meter meter(context.progress);
  std::uint64_t count = 0;
  std::function<void(const std::vector<stream_summary>&)> on_page =
      [&](const std::vector<stream_summary>& heads) {
        for (const stream_summary& head : heads) {
          const boost::json::object line{
              {"domain", head.domain}, {"identifier", head.identifier}, {"version", head.version}};
          writer.write(boost::json::serialize(line));
        }
        count += heads.size();
        meter.update(count, "streams");
      };
  co_await context.store.scan_streams(std::move(on_page));
  writer.flush();
  meter.finish();
}

awaitable<void> write_stats(const command_context& context, const invocation& call) {
  progress_meter meter(context.progress);
  table_stats stats;
  stats.table_name = context.store.table_name();
  stats.months = co_await context.store.event_months();
  std::function<void(const std::vector<stream_summary>&)> on_page =
      [&](const std::vector<stream_summary>& heads) {
        for (const stream_summary& head : heads) stats.events += head.version;
        stats.streams += heads.size();
        meter.update(stats.streams, "streams");
      };
  stats.scan = co_await context.store.scan_streams(std::move(on_page));
  meter.finish();
  stats.requests = context.store.metrics();
  const std::string text = call.json ? stats_json(stats) : stats_text(stats);
  line_writer writer(context.out);
  // Both forms end in a newline already; the writer adds one per write.
  writer.write(std::string_view(text).substr(0, text.size() - 1));
  writer.flush();
}

}  // namespace evstore::cli
