// The streaming BatchGetItem decoder against the DOM path it replaces
// (parse_batch_get_item_result, then event_from_item on each item): the same events from
// recorded DynamoDB Local responses (test/data/store/record-batch-get-events.sh) and from
// generated ones, and items that are not events refused. The reader's own checks of the body
// are tested in test/unit/dynamodb/batch_get_item_reader.cpp.

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "store/batch_get_events.hpp"
#include "store/item_codec.hpp"

BOOST_AUTO_TEST_SUITE(batch_get_events)

namespace ddb = evstore::dynamodb;
using evstore::decoded_item;

namespace {

constexpr std::string_view recorded_table = "evstore-recorded-events";

std::string read_data_file(const std::string& name) {
  std::ifstream in(EVSTORE_TEST_DATA_DIR "/store/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test data file " + name);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// What the DOM path makes of the body.
evstore::batch_get_events through_dom(std::string_view body, std::string_view table) {
  ddb::batch_get_item_result result = ddb::parse_batch_get_item_result(body);
  evstore::batch_get_events out;
  if (const auto items = result.responses.find(table); items != result.responses.end())
    for (const ddb::item& item : items->second)
      out.events.push_back(evstore::event_from_item(item));
  if (const auto left = result.unprocessed_keys.find(table); left != result.unprocessed_keys.end())
    out.unprocessed_keys = left->second.keys;
  return out;
}

bool same_event(const evstore::event& a, const evstore::event& b) {
  return a.id == b.id && a.domain == b.domain && a.type == b.type && a.identifier == b.identifier &&
         a.payload_json == b.payload_json && a.meta_json == b.meta_json &&
         a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.created == b.created && a.sequence == b.sequence;
}

void check_same_as_dom(std::string_view body, std::string_view table) {
  const evstore::batch_get_events dom = through_dom(body, table);
  const evstore::batch_get_events streamed = evstore::decode_batch_get_events(body, table);
  BOOST_TEST_REQUIRE(streamed.events.size() == dom.events.size());
  for (std::size_t i = 0; i < dom.events.size(); ++i) {
    BOOST_TEST(same_event(streamed.events[i].value, dom.events[i].value), "event " << i);
    BOOST_TEST((streamed.events[i].offloaded == dom.events[i].offloaded), "event " << i);
  }
  BOOST_TEST((streamed.unprocessed_keys == dom.unprocessed_keys));
  double units = 0;
  for (const ddb::consumed_capacity& c : ddb::parse_batch_get_item_result(body).consumed_capacity)
    units += c.capacity_units;
  BOOST_TEST(streamed.consumed_capacity_units == units);
}

/// Runs fn, which must throw system_error with `expected` and a message containing `fragment`.
template <class Fn>
void check_error(Fn fn, boost::system::error_code expected, std::string_view fragment) {
  try {
    fn();
    BOOST_ERROR("no error; expected " << expected.message() << ": " << fragment);
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == expected, e.code().message() << " / " << e.what());
    BOOST_TEST(std::string_view(e.what()).find(fragment) != std::string_view::npos, e.what());
  }
}

constexpr std::string_view good_item =
    R"({"id":{"S":"EventID#a"},"created":{"S":"2026-03-01T10:00:00.001Z"},"domain":{"S":"d"},)"
    R"("type":{"S":"t"},"payload":{"S":"{}"}})";

std::string response_with_item(std::string_view item) {
  return R"({"Responses":{"t":[)" + std::string(item) + "]}}";
}

}  // namespace

BOOST_AUTO_TEST_CASE(recorded_response_decodes_as_the_dom_path_does) {
  const std::string body = read_data_file("batch_get_events.response.json");
  check_same_as_dom(body, recorded_table);

  const evstore::batch_get_events got = evstore::decode_batch_get_events(body, recorded_table);
  BOOST_TEST_REQUIRE(got.events.size() == 4u);
  const evstore::event& renamed = got.events[1].value;
  BOOST_TEST(renamed.id == "e2");
  BOOST_TEST(renamed.correlation_id.value_or("") == "c-1");
  BOOST_TEST(renamed.causation_id.value_or("") == "e1");
  BOOST_TEST(renamed.sequence == 2u);
  // Payload text kept as stored, escapes and all; meta as a document with its exact numbers.
  BOOST_TEST(renamed.payload().at("tab").as_string() == "a\tb\nc");
  BOOST_TEST(renamed.meta_json.value_or("").find("-1.5e3") != std::string::npos);
  BOOST_TEST(renamed.meta().at("deep").at("list").as_array().size() == 2u);
  BOOST_TEST(got.events[2].offloaded.has_value());
  BOOST_TEST(got.events[2].offloaded->key == "events/e3.json");
  BOOST_TEST(got.events[3].value.identifier.has_value() == false);
  BOOST_TEST(got.events[3].value.meta_json.has_value() == false);  // NULL meta: none
  BOOST_TEST(got.unprocessed_keys.empty());

  // Another table's items are not this table's events.
  BOOST_TEST(evstore::decode_batch_get_events(body, "other-table").events.empty());
}

BOOST_AUTO_TEST_CASE(generated_pages_decode_as_the_dom_path_does) {
  // A page as replay reads it: 100 events with payloads of escapes, non-ASCII text and
  // lengths past the parser's internal buffers, some offloaded, some with meta.
  boost::json::array items;
  for (int i = 0; i < 100; ++i) {
    evstore::event e;
    e.id = "id-" + std::to_string(i);
    e.domain = "domain \"" + std::to_string(i % 7) + "\"";
    e.type = i % 2 ? "opened" : "caf\xC3\xA9";
    if (i % 3) e.identifier = "s-" + std::to_string(i % 13);
    e.payload_json = R"({"i":)" + std::to_string(i) + R"(,"text":")" +
                     std::string(static_cast<std::size_t>(i) * 97, 'x') +
                     R"(\"\\\n\u00e9\ud83d\ude00","n":[1.5e3,-2,null]})";
    if (i % 5 == 0) e.meta_json = R"({"user":"u-)" + std::to_string(i) + R"(","k":[1,{"z":0.5}]})";
    if (i % 4 == 0) e.correlation_id = "c-" + std::to_string(i);
    if (i % 6 == 0) e.causation_id = "x-" + std::to_string(i);
    e.created = evstore::parse_iso8601("2026-03-01T10:00:00.000Z") + std::chrono::milliseconds{i};
    e.sequence = static_cast<std::uint64_t>(i + 1);
    const std::optional<evstore::s3_location> offloaded =
        i % 10 == 9 ? std::optional<evstore::s3_location>({"bucket", "events/" + e.id})
                    : std::nullopt;
    items.push_back(ddb::to_json(evstore::to_item(e, offloaded)));
  }
  boost::json::array unprocessed{
      boost::json::object{{"id", {{"S", "EventID#u1"}}}, {"created", {{"S", "2026-03-02"}}}}};
  const boost::json::object body{
      {"Responses", {{"other", boost::json::array{}}, {"events", items}}},
      {"UnprocessedKeys",
       {{"events", {{"Keys", unprocessed}, {"ConsistentRead", true}}},
        {"other", {{"Keys", boost::json::array{}}}}}},
      {"ConsumedCapacity", boost::json::array{{{"TableName", "events"}, {"CapacityUnits", 50}}}}};
  const std::string text = boost::json::serialize(body);
  check_same_as_dom(text, "events");
  const evstore::batch_get_events got = evstore::decode_batch_get_events(text, "events");
  BOOST_TEST(got.events.size() == 100u);
  BOOST_TEST(got.unprocessed_keys.size() == 1u);
}

BOOST_AUTO_TEST_CASE(items_that_are_not_events_are_corrupt) {
  const auto corrupt = make_error_code(evstore::store_errc::corrupt_item);
  auto decode = [](std::string_view item) {
    (void)evstore::decode_batch_get_events(response_with_item(item), "t");
  };
  check_error([&] { decode(R"({"created":{"S":"2026-03-01T10:00:00.001Z"}})"); }, corrupt,
              "attribute 'id' is missing");
  check_error([&] { decode(R"({"id":{"S":"x"}})"); }, corrupt, "'id' does not start with EventID#");
  check_error([&] { decode(R"({"id":{"S":"EventID#a"},"created":{"S":"yesterday"}})"); }, corrupt,
              "'created' is not an ISO-8601 time");
  check_error(
      [&] {
        decode(R"({"id":{"S":"EventID#a"},"created":{"S":"2026-03-01T10:00:00.001Z"},)"
               R"("domain":{"N":"1"},"type":{"S":"t"}})");
      },
      corrupt, "attribute 'domain' is not a string");
  check_error(
      [&] {
        decode(std::string(good_item.substr(0, good_item.size() - 1)) +
               R"(,"sequence":{"N":"-1"}})");
      },
      corrupt, "'sequence' is not a non-negative integer");
  check_error(
      [&] {
        decode(std::string(good_item.substr(0, good_item.size() - 1)) + R"(,"meta":{"S":"{}"}})");
      },
      corrupt, "'meta' is not a map");
  // The same item, well formed, reads.
  BOOST_TEST(evstore::decode_batch_get_events(response_with_item(good_item), "t").events.size() ==
             1u);
}

BOOST_AUTO_TEST_SUITE_END()
