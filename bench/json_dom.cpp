// What building a Boost.JSON DOM costs for the responses a replay reads: every response body a
// memoizing latency proxy kept (bench_latency_proxy --dump) is parsed into a DOM, and so is
// each hydrated item's payload text. Events/s = items of the BatchGetItem responses over the
// parse time: the figure beside evstore's ceiling, which keeps payloads as raw text.
//
// Usage: bench_json_dom --responses FILE [--passes 5] [--cpu C] [--json FILE]

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "support/arguments.hpp"
#include "support/process_usage.hpp"
#include "support/report.hpp"

namespace json = boost::json;
using namespace evstore;

namespace {

/// The bodies of a --dump file: "<size>\n<body>\n" each.
std::vector<std::string> read_bodies(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> bodies;
  std::size_t size = 0;
  while (in >> size) {
    in.get();
    std::string body(size, '\0');
    if (!in.read(body.data(), static_cast<std::streamsize>(size)))
      throw std::runtime_error(path + " ends inside a body");
    bodies.push_back(std::move(body));
  }
  return bodies;
}

/// Parses one response and the payloads of the items it holds; returns how many items.
std::size_t parse_response(const std::string& body, std::size_t& payload_bytes) {
  const json::value response = json::parse(body);
  const json::object& envelope = response.as_object();
  const json::value* tables = envelope.if_contains("Responses");
  if (tables == nullptr) return 0;  // a Query page of keys: its parse is counted, no events
  std::size_t items = 0;
  for (const auto& table : tables->as_object()) {
    for (const json::value& item : table.value().as_array()) {
      ++items;
      if (const json::value* payload = item.as_object().if_contains("payload")) {
        const json::string& text = payload->as_object().at("S").as_string();
        const json::value parsed = json::parse(text);
        payload_bytes += text.size();
      }
    }
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) try {
  const bench::arguments args(argc, argv, {});
  if (args.has("--cpu") && !bench::pin_to_cpu(static_cast<int>(args.number("--cpu", 0))))
    throw std::runtime_error("cannot pin the process to the --cpu core");
  const std::vector<std::string> bodies = read_bodies(args.text("--responses", ""));
  const long passes = std::max(1L, args.number("--passes", 5));

  std::size_t events = 0;
  std::size_t payload_bytes = 0;
  const double cpu_start = bench::process_cpu_seconds();
  for (long pass = 0; pass < passes; ++pass)
    for (const std::string& body : bodies) events += parse_response(body, payload_bytes);
  const double cpu = bench::process_cpu_seconds() - cpu_start;
  if (events == 0) throw std::runtime_error("the responses hold no BatchGetItem items");

  std::printf(
      "Boost.JSON DOM of the replay's responses: %zu events (%zu responses x %ld) in "
      "%.2f s CPU: %.0f events/s\n",
      events, bodies.size(), passes, cpu, static_cast<double>(events) / cpu);
  const json::object figures{{"label", "Boost.JSON DOM parse"},
                             {"events", events},
                             {"responses", bodies.size()},
                             {"passes", passes},
                             {"cpu_seconds", cpu},
                             {"events_per_s", static_cast<double>(events) / cpu}};
  if (!bench::write_json(args.text("--json", ""), figures)) {
    std::fprintf(stderr, "bench_json_dom: cannot write the JSON file\n");
    return 1;
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_json_dom: %s\n", e.what());
  return 1;
}
