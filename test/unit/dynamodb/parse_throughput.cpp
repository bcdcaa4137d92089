// How fast BatchGetItem responses parse (the store's replay parses many). Prints figures for
// the report; asserts only that every parse is complete.
#include <boost/test/unit_test.hpp>

#include <time.h>

#include <boost/json/serialize.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"

BOOST_AUTO_TEST_SUITE(parse_throughput)

namespace ddb = evstore::dynamodb;

namespace {

// CPU time of this thread: the machine running tests is often busy, wall time would mislead.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// 100 event-like items: keys, a few scalars, a JSON payload of `payload_size` bytes.
std::string batch_body(std::size_t payload_size) {
  boost::json::array items;
  for (int i = 0; i < 100; ++i) {
    ddb::item item{
        {"id", ddb::attribute_value::string("EventID#" + std::to_string(i))},
        {"created", ddb::attribute_value::string("2026-11-26T16:00:00.000Z")},
        {"domain", ddb::attribute_value::string("user")},
        {"identifier", ddb::attribute_value::string("u-" + std::to_string(i % 7))},
        {"type", ddb::attribute_value::string("UserRenamed")},
        {"version", ddb::attribute_value::number(i + 1)},
        {"payload", ddb::attribute_value::string(std::string(payload_size, 'x'))},
        {"meta", ddb::attribute_value::map({{"trace", ddb::attribute_value::string("abc")},
                                            {"n", ddb::attribute_value::number("1.5")}})}};
    items.push_back(ddb::to_json(item));
  }
  boost::json::object body{{"Responses", boost::json::object{{"events", std::move(items)}}},
                           {"UnprocessedKeys", boost::json::object{}}};
  return boost::json::serialize(body);
}

}  // namespace

BOOST_AUTO_TEST_CASE(batch_get_item_responses) {
  for (std::size_t payload : {100u, 1000u, 10000u}) {
    const std::string body = batch_body(payload);
    constexpr int rounds = 200;
    std::size_t items = 0;
    const double start = thread_cpu_seconds();
    for (int r = 0; r < rounds; ++r) {
      items += ddb::parse_batch_get_item_result(body).responses.at("events").size();
    }
    const double took = thread_cpu_seconds() - start;
    BOOST_TEST(items == 100u * rounds);
    BOOST_TEST_MESSAGE("BatchGetItem, 100 items of "
                       << payload << " B payload (" << body.size() / 1024
                       << " KiB): " << took / rounds * 1e6 << " us CPU a response, " << items / took
                       << " items/s, " << body.size() * rounds / took / 1e6 << " MB/s");
  }
}

BOOST_AUTO_TEST_SUITE_END()
