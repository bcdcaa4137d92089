// Stream reads against an index that lags its table, as DynamoDB's global secondary indexes do
// (DynamoDB Local's never lag): a server that answers the stream head's GetItem with version 3
// and the stream index's Query with fewer events until it has "caught up"; its index holds the
// events (projection ALL) or only their keys (KEYS_ONLY, hydrated with BatchGetItem).

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <string>

#include "dynamodb/crc32.hpp"
#include "evstore/http/message.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "store_fixture.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(index_lag)

namespace ddb = evstore::dynamodb;
namespace http = evstore::http;
using namespace std::chrono_literals;

namespace {

http::response dynamodb_answer(std::string body) {
  http::response res;
  res.status = 200;
  res.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
  res.headers.push_back({"x-amz-crc32", std::to_string(ddb::crc32(body))});
  res.body = std::move(body);
  return res;
}

std::string event_item(int sequence) {
  const std::string n = std::to_string(sequence);
  return R"({"id":{"S":"EventID#e)" + n + R"("},"created":{"S":"2024-05-01T12:00:00.00)" + n +
         R"(Z"},"timeBucket":{"S":"2024-05"},"domain":{"S":"order"},"type":{"S":"placed"},)"
         R"("identifier":{"S":"o-1"},"stream":{"S":"order::o-1"},"payload":{"S":"{}"},)"
         R"("sequence":{"N":")" +
         n + R"("}})";
}

/// The index entry of event `sequence` in an index projecting KEYS_ONLY.
std::string key_entry(int sequence) {
  const std::string n = std::to_string(sequence);
  return R"({"id":{"S":"EventID#e)" + n + R"("},"created":{"S":"2024-05-01T12:00:00.00)" + n +
         R"(Z"},"stream":{"S":"order::o-1"},"sequence":{"N":")" + n + R"("}})";
}

/// The head says version 3; the index shows `visible` (1, 2, then 3 after `lagging_queries`).
struct lagging_index {
  explicit lagging_index(int lagging_queries, bool index_keys_only = false)
      : lagging(lagging_queries), keys_only(index_keys_only) {
    evstore::aws::config config = evstore::test::local_config();
    config.service_endpoint_urls["dynamodb"] = server.url();
    evstore::repo_options options;
    options.table_name_prefix = "index-lag-";
    store.emplace(io.get_executor(), config, options);
  }

  http::response answer(const http::request& req) {
    const std::string_view target = http::find_header(req.headers, "X-Amz-Target");
    if (target.ends_with(".GetItem"))
      return dynamodb_answer(
          R"({"Item":{"id":{"S":"EventID#HEAD::order::o-1"},"created":{"S":"HEAD"},)"
          R"("version":{"N":"3"}}})");
    if (target.ends_with(".BatchGetItem")) {
      // The table has every event the head counts (written in one transaction with it).
      ++batch_gets;
      return dynamodb_answer(R"({"Responses":{"index-lag-schemeless-event-store":[)" +
                             event_item(1) + "," + event_item(2) + "," + event_item(3) +
                             R"(]},"UnprocessedKeys":{}})");
    }
    const int seen = ++queries;
    const int visible = seen <= lagging ? 2 : 3;
    std::string items;
    for (int s = 1; s <= visible; ++s)
      items += (s > 1 ? "," : "") + (keys_only ? key_entry(s) : event_item(s));
    return dynamodb_answer(R"({"Items":[)" + items + R"(],"Count":)" + std::to_string(visible) +
                           R"(,"ScannedCount":)" + std::to_string(visible) + "}");
  }

  const int lagging;
  const bool keys_only;
  std::atomic<int> queries{0};
  std::atomic<int> batch_gets{0};
  evstore::test::local_http_server server{[this](const http::request& req) { return answer(req); }};
  boost::asio::io_context io;
  std::optional<evstore::repo> store;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_index_lag)

BOOST_AUTO_TEST_CASE(a_stream_read_waits_for_an_index_behind_the_head) {
  lagging_index server(4);
  evstore::stream_read_options options;
  options.max_index_wait = 10s;
  const std::vector<evstore::event> events = evstore::test::run_for(
      server.io, server.store->stream_events("order", "o-1", options), std::chrono::seconds(60));
  BOOST_TEST_REQUIRE(events.size() == 3u);
  for (std::size_t i = 0; i < events.size(); ++i) BOOST_TEST(events[i].sequence == i + 1);
  // Read again until the index showed the head's version: never the two it had before.
  BOOST_TEST(server.queries.load() == 5);
}

BOOST_AUTO_TEST_CASE(a_keys_only_index_behind_the_head_is_waited_for_then_hydrated) {
  lagging_index server(4, true);
  evstore::stream_read_options options;
  options.max_index_wait = 10s;
  const std::vector<evstore::event> events = evstore::test::run_for(
      server.io, server.store->stream_events("order", "o-1", options), std::chrono::seconds(60));
  BOOST_TEST_REQUIRE(events.size() == 3u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    BOOST_TEST(events[i].sequence == i + 1);
    BOOST_TEST(events[i].id == "e" + std::to_string(i + 1));
    BOOST_TEST(events[i].type == "placed");
  }
  BOOST_TEST(server.queries.load() == 5);
  // The keys are hydrated once, after the index caught up.
  BOOST_TEST(server.batch_gets.load() == 1);
}

BOOST_AUTO_TEST_CASE(an_index_that_stays_behind_is_an_index_lag_error_not_a_short_read) {
  lagging_index server(1'000'000);
  evstore::stream_read_options options;
  options.max_index_wait = 300ms;
  try {
    (void)evstore::test::run_for(server.io, server.store->stream_events("order", "o-1", options),
                                 std::chrono::seconds(60));
    BOOST_ERROR("a stream read returned events its index had not caught up with");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST(error.code() == evstore::make_error_code(evstore::store_errc::index_lag),
               error.what());
    BOOST_TEST(std::string_view(error.what()).find("2 of the 3") != std::string_view::npos,
               error.what());
  }
  BOOST_TEST(server.queries.load() > 1);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
