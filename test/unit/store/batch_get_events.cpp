// The streaming BatchGetItem decoder against the DOM path it replaces
// (parse_batch_get_item_result, then event_from_item on each item): the same events from
// recorded DynamoDB Local responses (test/data/store/record-batch-get-events.sh) and from
// generated ones, and clear errors for malformed bodies.

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
#include "evstore/store/batch_get_events.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/item_codec.hpp"
#include "evstore/store/time.hpp"

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

void check_malformed(std::string_view body, std::string_view fragment) {
  check_error([&] { (void)evstore::decode_batch_get_events(body, "t"); },
              make_error_code(ddb::errc::malformed_response), fragment);
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

BOOST_AUTO_TEST_CASE(malformed_bodies_are_clear_errors) {
  check_malformed("", "BatchGetItem response body is not JSON");
  check_malformed(R"({"Responses":{"t":[)", "BatchGetItem response body is not JSON");
  check_malformed(R"({"Responses":{}} x)", "not JSON");
  check_malformed("[]", "BatchGetItem: expected a JSON object, found an array");
  check_malformed(R"("text")", "BatchGetItem: expected a JSON object, found a string");
  check_malformed(R"({"UnprocessedKeys":{}})", R"(BatchGetItem: missing member "Responses")");
  check_malformed(R"({"Responses":[]})", "BatchGetItem.Responses: expected an object");
  check_malformed(R"({"Responses":null})",
                  "BatchGetItem.Responses: expected an object, found null");
  check_malformed(R"({"Responses":{"t":{}}})", "BatchGetItem.Responses.t: expected an array");
  check_malformed(R"({"Responses":{"t":[1]}})",
                  "BatchGetItem.Responses.t[0]: expected an object, found a number");
  check_malformed(R"({"Responses":{"t":[]},"UnprocessedKeys":{"t":[]}})",
                  "BatchGetItem.UnprocessedKeys.t: expected an object");
  check_malformed(R"({"Responses":{"t":[]},"UnprocessedKeys":{"t":{}}})",
                  R"(BatchGetItem.UnprocessedKeys.t: missing member "Keys")");
  check_malformed(R"({"Responses":{"t":[]},"ConsumedCapacity":{}})",
                  "BatchGetItem.ConsumedCapacity: expected an array, found an object");
  check_malformed(R"({"Responses":{"t":[]},"ConsumedCapacity":[{"CapacityUnits":"1"}]})",
                  "BatchGetItem.ConsumedCapacity[0].CapacityUnits: expected a number");
  // Members the events do not need are skipped whatever they hold.
  BOOST_TEST(evstore::decode_batch_get_events(
                 R"({"ConsumedCapacity":[{"x":[1,{"y":null}]}],"Responses":{"u":[1,"2"],"t":[]},)"
                 R"("UnprocessedKeys":null,"Other":"z"})",
                 "t")
                 .events.empty());
}

BOOST_AUTO_TEST_CASE(json_syntax_is_checked_as_boost_json_checks_it) {
  // Each body is refused as not JSON exactly when boost::json::parse refuses it.
  const std::vector<std::string> strings{"caf\xC3\xA9",
                                         "\xC3",
                                         "\xC3(",
                                         "\xE0\x80\x80",
                                         "\xED\xA0\x80",
                                         "\xED\x9F\xBF",
                                         "\xEF\xBF\xBF",
                                         "\xF4\x90\x80\x80",
                                         "\xF0\x9F\x98\x80",
                                         "\xF8\x88\x80\x80\x80",
                                         "\\ud83d",
                                         "\\ude00",
                                         "\\ud83d\\ude00",
                                         "\\ud83dx",
                                         "\\x",
                                         "\\u12G4",
                                         "\\u00",
                                         "\x01",
                                         "\x7f",
                                         "\\/\\b\\f\\n\\r\\t",
                                         "\t"};
  std::vector<std::string> bodies;
  // Strings are scanned eight bytes at a time: the same bytes at every offset of a block.
  for (std::size_t at = 0; at < 18; ++at)
    for (const std::string& inner : strings)
      bodies.push_back(R"({"Responses":{"t":[]},"x":")" + std::string(at, 'a') + inner +
                       std::string(9, 'b') + R"("})");
  for (const std::string& text : strings)
    bodies.push_back(R"({"Responses":{"t":[]},"x":")" + text + R"("})");
  for (const char* value : {"01", "-0", "1.", "1e", "1e+5", "-", "tru", "nul", "[1,]", "{\"a\":1,}",
                            "[1 2]", "1.5E-3", "18446744073709551616", "-9223372036854775809"})
    bodies.push_back(R"({"Responses":{"t":[]},"x":)" + std::string(value) + "}");
  bodies.push_back(" \n\t{\"Responses\" : { \"t\" : [ ] } }\r\n");
  bodies.push_back(R"({"Responses":{"t":[]}}})");
  bodies.push_back(R"({"Responses":{"t":[]})");
  bodies.push_back(R"({"Responses":{"t":[]},"k\u00e9y":1})");
  bodies.push_back(R"({"Responses":{"t":[]},"k)" + std::string("\xFF") + R"(":1})");
  bodies.push_back(R"({"Responses":{"t":[]},"x":)" + std::string(300, '[') + std::string(300, ']') +
                   "}");
  for (const std::string& body : bodies) {
    boost::system::error_code ec;
    boost::json::parse_options options;
    options.max_depth = 256;
    (void)boost::json::parse(body, ec, {}, options);
    bool refused_as_json = false;
    try {
      (void)evstore::decode_batch_get_events(body, "t");
    } catch (const boost::system::system_error& e) {
      refused_as_json = std::string_view(e.what()).find("not JSON") != std::string_view::npos;
    }
    BOOST_TEST(refused_as_json == static_cast<bool>(ec), body);
  }
}

BOOST_AUTO_TEST_CASE(bad_attribute_values_name_their_path) {
  const auto invalid = make_error_code(ddb::errc::invalid_attribute);
  auto decode = [](const std::string& body) { (void)evstore::decode_batch_get_events(body, "t"); };
  check_error([&] { decode(response_with_item(R"({"id":{"S":1}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id.S: expected a string for S, found a number");
  check_error([&] { decode(response_with_item(R"({"id":{}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { decode(response_with_item(R"({"id":{"S":"a","N":"1"}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { decode(response_with_item(R"({"id":"EventID#a"})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { decode(response_with_item(R"({"sequence":{"N":"1e99999999999"}})")); }, invalid,
              "BatchGetItem.Responses.t[0].sequence.N: N is not a decimal number");
  check_error([&] { decode(response_with_item(R"({"meta":{"M":{"a":{"N":"x"}}}})")); }, invalid,
              "BatchGetItem.Responses.t[0].meta.M.a.N: N is not a decimal number");
  check_error([&] { decode(response_with_item(R"({"blob":{"B":"not base64!"}})")); }, invalid,
              "BatchGetItem.Responses.t[0].blob.B");
  check_error([&] { decode(response_with_item(R"({"x":{"Q":"1"}})")); }, invalid,
              "unknown AttributeValue type \"Q\"");
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
