// A synthetic DynamoDB for replay benchmarks at scale: on 127.0.0.1 only, it answers what an
// evstore replay sends (GetItem of the metadata item, Query pages of timeBucketIndex, BatchGetItem
// pages) from a virtual table of --events N events generated on the fly (support/
// synthetic_table.hpp), with valid x-amz-crc32 headers, so that a replay of ten million events
// runs in minutes and in flat memory on both sides. Any table name is served; other operations
// get a ValidationException.
//
// Usage: bench_synthetic_dynamodb --port P --events N [--seed 1] [--months 6]
//        [--last-month YYYY-MM (default: the current month)] [--payload-bytes 1024]
//        [--streams 1000] [--max-seconds 1800]
// Prints "synthetic_dynamodb: listening on 127.0.0.1:P" once ready; stops on SIGINT/SIGTERM or
// after --max-seconds, printing what it served and its own CPU time per event served.

#include <array>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "dynamodb/crc32.hpp"
#include "evstore/store/time.hpp"
#include "support/arguments.hpp"
#include "support/process_usage.hpp"
#include "support/synthetic_table.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using namespace evstore;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// BatchGetItem requests of 100 keys are about 10 KB.
constexpr std::uint64_t request_body_limit = 1u << 20;
constexpr std::string_view event_prefix = "EventID#";
constexpr std::string_view metadata_id = "EventID#META::months";

struct statistics {
  std::uint64_t requests = 0;
  std::uint64_t queries = 0;
  std::uint64_t batch_gets = 0;
  std::uint64_t keys_served = 0;
  std::uint64_t events_served = 0;
};

const json::value* member(const json::value& v, std::string_view name) {
  const json::object* object = v.if_object();
  return object ? object->if_contains(name) : nullptr;
}

/// The text of an attribute value {"S": text}, or empty.
std::string_view string_attribute(const json::value* attribute) {
  const json::value* s = attribute ? member(*attribute, "S") : nullptr;
  return s && s->is_string() ? std::string_view(s->get_string()) : std::string_view();
}

std::int64_t epoch_ms(std::string_view iso) {
  return parse_iso8601(iso).time_since_epoch().count();
}

std::int64_t month_start_ms(std::chrono::year_month month) {
  using namespace std::chrono;
  return sys_days{month / 1}.time_since_epoch() / milliseconds{1};
}

void append_capacity(std::string_view table, double units, std::string& out) {
  out += R"({"TableName":")";
  out += table;
  out += R"(","CapacityUnits":)";
  out += std::to_string(units);
  out += '}';
}

class responder {
 public:
  responder(const bench::synthetic_table& table, statistics& stats)
      : table_(table), stats_(stats) {}

  /// Writes the body answering `operation` with `request` into `out`; false for a client error.
  bool answer(std::string_view operation, const json::value& request, std::string& out) {
    ++stats_.requests;
    if (operation == "DynamoDB_20120810.GetItem") return get_item(request, out);
    if (operation == "DynamoDB_20120810.Query") return query(request, out);
    if (operation == "DynamoDB_20120810.BatchGetItem") return batch_get_item(request, out);
    return error("bench_synthetic_dynamodb serves replay reads only, not " + std::string(operation),
                 out);
  }

 private:
  static bool error(const std::string& message, std::string& out) {
    out = R"({"__type":"com.amazonaws.dynamodb.v20120810#ValidationException","message":)";
    out += json::serialize(json::string_view(message));
    out += '}';
    return false;
  }

  bool get_item(const json::value& request, std::string& out) const {
    const json::value* table = member(request, "TableName");
    const json::value* key = member(request, "Key");
    if (!table || !table->is_string() || !key) return error("GetItem needs TableName and Key", out);
    const std::string_view name = table->get_string();
    out = "{";
    if (string_attribute(member(*key, "id")) == metadata_id) {
      const std::string first = time_bucket(table_.first_month());
      out += R"("Item":{"shards":{"N":"1"},"completeSince":{"S":")" + first +
             R"("},"firstMonth":{"S":")" + first + R"("},"lastMonth":{"S":")" +
             time_bucket(table_.last_month()) +
             R"("},"id":{"S":"EventID#META::months"},"created":{"S":"META"}},)";
    }
    out += R"("ConsumedCapacity":)";
    append_capacity(name, 1.0, out);
    out += '}';
    return true;
  }

  bool query(const json::value& request, std::string& out) {
    ++stats_.queries;
    const json::value* table = member(request, "TableName");
    const json::value* values = member(request, "ExpressionAttributeValues");
    const json::value* condition = member(request, "KeyConditionExpression");
    const json::value* index = member(request, "IndexName");
    if (!table || !table->is_string() || !values || !condition || !condition->is_string() ||
        !index || !index->is_string() || index->get_string() != "timeBucketIndex")
      return error("only Query of timeBucketIndex with a key condition is served", out);
    const std::string_view bucket = string_attribute(member(*values, ":bucket"));
    std::chrono::year_month month{};
    try {
      month = parse_time_bucket(bucket);
    } catch (const std::exception&) {
      return error("unreadable :bucket '" + std::string(bucket) + "'", out);
    }
    std::uint64_t low = table_.first_at_or_after(month_start_ms(month));
    std::uint64_t high = table_.first_at_or_after(month_start_ms(month + std::chrono::months{1}));
    try {
      if (const std::string_view from = string_attribute(member(*values, ":from")); !from.empty())
        low = std::max(low, table_.first_at_or_after(epoch_ms(from)));
      if (const std::string_view before = string_attribute(member(*values, ":before"));
          !before.empty()) {
        // BETWEEN takes its upper bound inclusively, `<` does not.
        const bool inclusive =
            std::string_view(condition->get_string()).find("BETWEEN") != std::string_view::npos;
        high = std::min(high, table_.first_at_or_after(epoch_ms(before) + (inclusive ? 1 : 0)));
      }
      if (const json::value* start = member(request, "ExclusiveStartKey")) {
        std::string_view id = string_attribute(member(*start, "id"));
        if (!id.starts_with(event_prefix)) return error("unreadable ExclusiveStartKey", out);
        id.remove_prefix(event_prefix.size());
        const std::optional<std::uint64_t> after = table_.index_of_id(id);
        if (!after) return error("ExclusiveStartKey names no event", out);
        low = std::max(low, *after + 1);
      }
    } catch (const std::exception&) {
      return error("unreadable time in the key condition", out);
    }
    const std::uint64_t available = high > low ? high - low : 0;
    std::optional<std::uint64_t> page_limit;
    if (const json::value* given = member(request, "Limit"); given && given->is_int64())
      page_limit = static_cast<std::uint64_t>(given->get_int64());
    const std::uint64_t limit = std::min(available, page_limit.value_or(available));
    out = R"({"Items":[)";
    for (std::uint64_t i = low; i < low + limit; ++i) {
      if (i != low) out += ',';
      table_.append_key(i, out);
    }
    stats_.keys_served += limit;
    out += R"(],"Count":)" + std::to_string(limit) + R"(,"ScannedCount":)" + std::to_string(limit);
    // As DynamoDB does, a page that reached its Limit has a LastEvaluatedKey, also at the end.
    if (page_limit && limit == *page_limit && limit > 0) {
      out += R"(,"LastEvaluatedKey":)";
      table_.append_key(low + limit - 1, out);
    }
    out += R"(,"ConsumedCapacity":)";
    append_capacity(table->get_string(), static_cast<double>(limit) * 0.5, out);
    out += '}';
    return true;
  }

  bool batch_get_item(const json::value& request, std::string& out) {
    ++stats_.batch_gets;
    const json::value* items = member(request, "RequestItems");
    if (!items || !items->is_object() || items->get_object().size() != 1)
      return error("BatchGetItem of one table is served", out);
    const auto& [name, wanted] = *items->get_object().begin();
    const json::value* keys = member(wanted, "Keys");
    if (!keys || !keys->is_array()) return error("BatchGetItem needs Keys", out);
    out = R"({"Responses":{")";
    out += std::string_view(name);
    out += R"(":[)";
    std::uint64_t found = 0;
    for (const json::value& key : keys->get_array()) {
      std::string_view id = string_attribute(member(key, "id"));
      if (!id.starts_with(event_prefix)) continue;
      id.remove_prefix(event_prefix.size());
      const std::optional<std::uint64_t> i = table_.index_of_id(id);
      if (!i) continue;
      const std::array<char, 24> created = table_.created_text(*i);
      if (string_attribute(member(key, "created")) !=
          std::string_view(created.data(), created.size()))
        continue;
      if (found++ != 0) out += ',';
      table_.append_item(*i, out);
    }
    stats_.events_served += found;
    out += R"(]},"UnprocessedKeys":{},"ConsumedCapacity":[)";
    append_capacity(std::string_view(name), static_cast<double>(found), out);
    out += "]}";
    return true;
  }

  const bench::synthetic_table& table_;
  statistics& stats_;
};

asio::awaitable<void> serve(tcp::socket socket, responder& answers) {
  socket.set_option(tcp::no_delay(true));
  // Beast reads at most the buffer's free capacity at a time: reserved, a request is one read.
  beast::flat_buffer buffer;
  buffer.reserve(64 * 1024);
  // Reused for every request of the connection: the body and the head of the answer.
  std::string body;
  std::string head;
  std::vector<unsigned char> parse_buffer(256 * 1024);
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(request_body_limit);
    auto [read_error, read] = co_await http::async_read(socket, buffer, parser, use_tuple);
    if (read_error) co_return;
    const http::request<http::string_body>& request = parser.get();
    const bool keep_alive = request.keep_alive();
    // A BatchGetItem request's DOM fits in the connection's parse buffer: no malloc per node.
    json::monotonic_resource parse_memory(parse_buffer.data(), parse_buffer.size());
    boost::system::error_code parse_error;
    const json::value parsed = json::parse(request.body(), parse_error, &parse_memory);
    bool ok = false;
    if (parse_error) {
      body = R"({"__type":"com.amazonaws.dynamodb.v20120810#SerializationException"})";
    } else {
      ok = answers.answer(std::string_view(request["X-Amz-Target"]), parsed, body);
    }
    head = ok ? "HTTP/1.1 200 OK\r\n" : "HTTP/1.1 400 Bad Request\r\n";
    head += "Content-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: synthetic\r\n";
    head += "x-amz-crc32: " + std::to_string(dynamodb::crc32(body)) + "\r\n";
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    if (!keep_alive) head += "Connection: close\r\n";
    head += "\r\n";
    const std::array<asio::const_buffer, 2> answer{asio::buffer(head), asio::buffer(body)};
    auto [write_error, written] = co_await asio::async_write(socket, answer, use_tuple);
    if (write_error || !keep_alive) co_return;
  }
}

asio::awaitable<void> accept_all(tcp::acceptor& acceptor, responder& answers) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), answers), asio::detached);
  }
}

std::chrono::year_month current_month() {
  using namespace std::chrono;
  const year_month_day today{floor<days>(system_clock::now())};
  return today.year() / today.month();
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {});
  if (!args.has("--port") || !args.has("--events"))
    throw std::invalid_argument(
        "usage: bench_synthetic_dynamodb --port P --events N [--seed 1] [--months 6] "
        "[--last-month YYYY-MM] [--payload-bytes 1024] [--streams 1000] [--max-seconds 1800]");
  const auto events = static_cast<std::uint64_t>(args.number("--events", 0));
  if (events == 0 || events >= (1ULL << 32))
    throw std::invalid_argument("--events needs 1 to 2^32 - 1 events");
  const std::string last = args.text("--last-month", "");
  const bench::synthetic_table table(events, static_cast<std::uint64_t>(args.number("--seed", 1)),
                                     last.empty() ? current_month() : parse_time_bucket(last),
                                     static_cast<unsigned>(args.number("--months", 6)),
                                     static_cast<std::size_t>(args.number("--payload-bytes", 1024)),
                                     static_cast<std::uint64_t>(args.number("--streams", 1000)));

  statistics stats;
  responder answers(table, stats);
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"),
                                           static_cast<unsigned short>(args.number("--port", 0))));
  asio::co_spawn(io, accept_all(acceptor, answers), asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  asio::steady_timer deadline(io, std::chrono::seconds(args.number("--max-seconds", 1800)));
  deadline.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    std::fprintf(stderr, "synthetic_dynamodb: stopping after its maximum run time\n");
    io.stop();
  });
  std::printf("synthetic_dynamodb: listening on 127.0.0.1:%u, %llu events, months %s..%s\n",
              acceptor.local_endpoint().port(), static_cast<unsigned long long>(events),
              time_bucket(table.first_month()).c_str(), time_bucket(table.last_month()).c_str());
  std::fflush(stdout);
  io.run();
  const double cpu = bench::process_cpu_seconds();
  std::printf(
      "synthetic_dynamodb: %llu requests (%llu Query, %llu BatchGetItem), %llu keys and %llu "
      "events served, %.2f s CPU (%.2f us an event served)\n",
      static_cast<unsigned long long>(stats.requests),
      static_cast<unsigned long long>(stats.queries),
      static_cast<unsigned long long>(stats.batch_gets),
      static_cast<unsigned long long>(stats.keys_served),
      static_cast<unsigned long long>(stats.events_served), cpu,
      stats.events_served ? cpu * 1e6 / static_cast<double>(stats.events_served) : 0.0);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_synthetic_dynamodb: %s\n", e.what());
  return 1;
}
