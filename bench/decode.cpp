// What reading a BatchGetItem page into events costs on one core, without any I/O: the
// streaming decoder replay uses (decode_batch_get_events) beside the DOM path it replaced
// (parse_batch_get_item_result, then event_from_item on each item), on pages of the replay
// benchmark's events (100 events of 1 KB payloads, as bench_append writes them).
//
// Usage: bench_decode [--pages 200] [--page-size 100] [--payload-bytes 1024] [--cpu C]
//                     [--json FILE]

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"
#include "store/batch_get_events.hpp"
#include "store/item_codec.hpp"
#include "support/arguments.hpp"
#include "support/bench_events.hpp"
#include "support/process_usage.hpp"
#include "support/report.hpp"

namespace ddb = evstore::dynamodb;
using namespace evstore;

namespace {

constexpr std::string_view table = "bench-schemeless-event-store";

/// A BatchGetItem response body holding `size` events of the benchmark.
std::string page_body(std::size_t page, std::size_t size, std::size_t payload_bytes) {
  boost::json::array items;
  for (std::size_t k = 0; k < size; ++k) {
    event e = bench::bench_event(page % 200, page * size + k, payload_bytes);
    e.id = "0b6c4f8e-5d3a-4c1e-9f7a-" + std::to_string(100000000000 + page * size + k);
    e.created = timestamp{std::chrono::milliseconds{1'767'225'600'000 + page * size + k}};
    e.sequence = k + 1;
    items.push_back(ddb::to_json(to_item(e)));
  }
  const boost::json::object body{
      {"Responses", {{table, std::move(items)}}},
      {"UnprocessedKeys", boost::json::object{}},
  };
  return boost::json::serialize(body);
}

struct timing {
  std::size_t events = 0;
  std::size_t payload_bytes = 0;
  double cpu_seconds = 0;
  double events_per_s() const { return static_cast<double>(events) / cpu_seconds; }
};

template <class Decode>
timing time_decoder(const std::vector<std::string>& bodies, long passes, Decode decode) {
  timing t;
  const double start = bench::process_cpu_seconds();
  for (long pass = 0; pass < passes; ++pass)
    for (const std::string& body : bodies)
      for (const decoded_item& d : decode(body)) {
        ++t.events;
        t.payload_bytes += d.value.payload_json.size();
      }
  t.cpu_seconds = bench::process_cpu_seconds() - start;
  return t;
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {});
  if (args.has("--cpu") && !bench::pin_to_cpu(static_cast<int>(args.number("--cpu", 0))))
    throw std::runtime_error("cannot pin the process to the --cpu core");
  const auto pages = static_cast<std::size_t>(std::max(1L, args.number("--pages", 200)));
  const auto page_size = static_cast<std::size_t>(std::max(1L, args.number("--page-size", 100)));
  const auto payload_bytes = static_cast<std::size_t>(args.number("--payload-bytes", 1024));
  const long passes = std::max(1L, args.number("--passes", 3));

  std::vector<std::string> bodies;
  for (std::size_t p = 0; p < pages; ++p) bodies.push_back(page_body(p, page_size, payload_bytes));

  const timing streamed = time_decoder(bodies, passes, [](const std::string& body) {
    return decode_batch_get_events(body, table).events;
  });
  const timing dom = time_decoder(bodies, passes, [](const std::string& body) {
    ddb::batch_get_item_result result = ddb::parse_batch_get_item_result(body);
    std::vector<decoded_item> out;
    for (const ddb::item& item : result.responses.find(table)->second)
      out.push_back(event_from_item(item));
    return out;
  });
  if (streamed.events != dom.events || streamed.payload_bytes != dom.payload_bytes)
    throw std::runtime_error("the streaming decoder and the DOM path read different events");

  for (const auto& [name, t] : {std::pair{"streaming decoder", streamed}, {"DOM path", dom}}) {
    std::printf(
        "BatchGetItem page -> events, %s: %zu events in %.3f s CPU: %.0f events/s, "
        "%.2f us/event\n",
        name, t.events, t.cpu_seconds, t.events_per_s(),
        t.cpu_seconds * 1e6 / static_cast<double>(t.events));
  }
  const boost::json::object figures{
      {"label", "BatchGetItem page decode"},
      {"events", streamed.events},
      {"page_size", page_size},
      {"payload_bytes", payload_bytes},
      {"streaming_events_per_s", streamed.events_per_s()},
      {"streaming_us_per_event", streamed.cpu_seconds * 1e6 / static_cast<double>(streamed.events)},
      {"dom_events_per_s", dom.events_per_s()},
      {"dom_us_per_event", dom.cpu_seconds * 1e6 / static_cast<double>(dom.events)}};
  if (!bench::write_json(args.text("--json", ""), figures)) {
    std::fprintf(stderr, "bench_decode: cannot write the JSON file\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_decode: %s\n", e.what());
  return 1;
}
