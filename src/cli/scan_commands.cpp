#include "scan_commands.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/service_client.hpp"
#include "evstore/dynamodb/client.hpp"
#include "line_writer.hpp"
#include "progress.hpp"
#include "stats.hpp"
#include "stream_heads.hpp"

namespace evstore::cli {
namespace {

using boost::asio::awaitable;

/// A DynamoDB client of its own for the Scans the repo does not offer.
dynamodb::client table_client(const boost::asio::any_io_executor& executor,
                              const aws::config& config) {
  aws::service_client service(executor, config.endpoint_for("dynamodb"), config.region, "dynamodb",
                              aws::make_default_credentials_provider(executor, config));
  return dynamodb::client(std::move(service));
}

}  // namespace

awaitable<void> list_streams(const command_context& context) {
  const auto executor = co_await boost::asio::this_coro::executor;
  dynamodb::client client = table_client(executor, context.config);
  line_writer writer(context.out);
  progress_meter meter(context.progress);
  std::uint64_t count = 0;
  std::function<void(const std::vector<stream_head>&)> on_page =
      [&](const std::vector<stream_head>& heads) {
        for (const stream_head& head : heads) {
          const boost::json::object line{
              {"domain", head.domain}, {"identifier", head.identifier}, {"version", head.version}};
          writer.write(boost::json::serialize(line));
        }
        count += heads.size();
        meter.update(count, "streams");
      };
  co_await scan_stream_heads(client, context.store.table_name(), std::move(on_page));
  writer.flush();
  meter.finish();
}

awaitable<void> write_stats(const command_context& context, const invocation& call) {
  const auto executor = co_await boost::asio::this_coro::executor;
  dynamodb::client client = table_client(executor, context.config);
  progress_meter meter(context.progress);
  table_stats stats;
  stats.table_name = context.store.table_name();
  stats.months = co_await context.store.event_months();
  std::function<void(const std::vector<stream_head>&)> on_page =
      [&](const std::vector<stream_head>& heads) {
        for (const stream_head& head : heads) stats.events += head.version;
        stats.streams += heads.size();
        meter.update(stats.streams, "streams");
      };
  stats.scan = co_await scan_stream_heads(client, stats.table_name, std::move(on_page));
  meter.finish();
  stats.requests = context.store.metrics();
  add_metrics(stats.requests.dynamodb, client.service().metrics().snapshot());
  const std::string text = call.json ? stats_json(stats) : stats_text(stats);
  line_writer writer(context.out);
  // Both forms end in a newline already; the writer adds one per write.
  writer.write(std::string_view(text).substr(0, text.size() - 1));
  writer.flush();
}

}  // namespace evstore::cli
