#include <boost/test/unit_test.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "store/item_codec.hpp"
#include "store/item_size.hpp"

BOOST_AUTO_TEST_SUITE(item_codec)

namespace ddb = evstore::dynamodb;

namespace {

evstore::event sample() {
  evstore::event e;
  e.id = "0f1e";
  e.domain = "order";
  e.type = "placed";
  e.identifier = "o-9";
  e.payload_json = R"({"total":12.5,"lines":[1,2]})";
  e.meta_json = R"({"big":123456789012345678901234567890,"flag":true,"nested":{"k":null}})";
  e.correlation_id = "c-1";
  e.causation_id = "x-1";
  e.created = evstore::parse_iso8601("2024-05-01T12:34:56.789Z");
  e.sequence = 3;
  return e;
}

bool corrupt(const ddb::item& item) {
  try {
    evstore::event_from_item(item);
  } catch (const boost::system::system_error& e) {
    return e.code() == evstore::store_errc::corrupt_item;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_item_codec)

BOOST_AUTO_TEST_CASE(writes_the_shared_layout) {
  const ddb::item item = evstore::to_item(sample());
  BOOST_TEST(ddb::to_document_text(ddb::attribute_value::map(item)) ==
             R"({"causationId":"x-1","correlationId":"c-1","created":"2024-05-01T12:34:56.789Z",)"
             R"("domain":"order","id":"EventID#0f1e","identifier":"o-9",)"
             R"("meta":{"big":123456789012345678901234567890,"flag":true,"nested":{"k":null}},)"
             R"("payload":"{\"total\":12.5,\"lines\":[1,2]}","sequence":3,)"
             R"("stream":"order::o-9",)"
             R"("timeBucket":"2024-05","type":"placed"})");
  BOOST_CHECK(item.at("sequence").type() == ddb::attribute_type::n);
  BOOST_CHECK(item.at("meta").type() == ddb::attribute_type::m);
}

BOOST_AUTO_TEST_CASE(round_trips_an_event) {
  const evstore::event original = sample();
  const evstore::decoded_item read = evstore::event_from_item(evstore::to_item(original));
  BOOST_TEST(!read.offloaded.has_value());
  const evstore::event& e = read.value;
  BOOST_TEST(e.id == original.id);
  BOOST_TEST(e.domain == original.domain);
  BOOST_TEST(e.type == original.type);
  BOOST_CHECK(e.identifier == original.identifier);
  BOOST_TEST(e.payload_json == original.payload_json);
  BOOST_CHECK(e.meta_json == original.meta_json);  // keys were already in sorted order
  BOOST_CHECK(e.correlation_id == original.correlation_id);
  BOOST_CHECK(e.causation_id == original.causation_id);
  BOOST_TEST((e.created == original.created));
  BOOST_TEST(e.sequence == original.sequence);
}

BOOST_AUTO_TEST_CASE(minimal_event_has_only_required_attributes) {
  evstore::event e;
  e.id = "i";
  e.domain = "d";
  e.type = "t";
  e.created = evstore::timestamp{};
  e.sequence = 1;
  const ddb::item item = evstore::to_item(e);
  BOOST_TEST(item.size() == 8u);  // id created timeBucket stream domain type payload sequence
  BOOST_TEST(item.at("stream").as_string() == "d::");
  BOOST_TEST(item.at("payload").as_string() == "null");
  const evstore::event read = evstore::event_from_item(item).value;
  BOOST_TEST(!read.identifier.has_value());
  BOOST_TEST(!read.meta_json.has_value());
}

BOOST_AUTO_TEST_CASE(offloaded_events_carry_a_reference_instead_of_the_payload) {
  const evstore::s3_location where{"bucket-1", "events/0f1e.json"};
  const ddb::item item = evstore::to_item(sample(), where);
  BOOST_TEST(!item.contains("payload"));
  BOOST_TEST(item.at("s3Reference").as_string() == "bucket-1::events/0f1e.json");
  const evstore::decoded_item read = evstore::event_from_item(item);
  BOOST_TEST_REQUIRE(read.offloaded.has_value());
  BOOST_TEST((*read.offloaded == where));
  BOOST_TEST(read.value.payload_json == "null");
}

BOOST_AUTO_TEST_CASE(reads_items_the_typescript_adapter_writes) {
  // As the adapter's DocumentClient marshals it: no identifier, meta with a nested list.
  const ddb::item item = ddb::item_from_json(boost::json::value{
      {"id", {{"S", "EventID#abc"}}},
      {"created", {{"S", "2021-03-04T05:06:07.008Z"}}},
      {"timeBucket", {{"S", "2021-03"}}},
      {"domain", {{"S", "user"}}},
      {"type", {{"S", "created"}}},
      {"payload", {{"S", "{\"name\":\"Ann\"}"}}},
      {"meta", {{"M", {{"tags", {{"L", boost::json::array{boost::json::object{{"S", "a"}}}}}}}}}},
      {"sequence", {{"N", "1"}}}});
  const evstore::event e = evstore::event_from_item(item).value;
  BOOST_TEST(e.id == "abc");
  BOOST_TEST(e.payload().at("name").as_string() == "Ann");
  BOOST_CHECK(*e.meta_json == R"({"tags":["a"]})");
  BOOST_TEST(evstore::format_iso8601(*e.created) == "2021-03-04T05:06:07.008Z");
}

BOOST_AUTO_TEST_CASE(rejects_items_off_the_layout) {
  ddb::item good = evstore::to_item(sample());
  BOOST_TEST(!corrupt(good));
  auto without = [&](std::string_view name) {
    ddb::item copy = good;
    copy.erase(std::string(name));
    return copy;
  };
  auto with = [&](std::string_view name, ddb::attribute_value value) {
    ddb::item copy = good;
    copy[std::string(name)] = std::move(value);
    return copy;
  };
  BOOST_TEST(corrupt(without("id")));
  BOOST_TEST(corrupt(without("created")));
  BOOST_TEST(corrupt(without("domain")));
  BOOST_TEST(corrupt(with("id", ddb::attribute_value::string("abc"))));
  BOOST_TEST(corrupt(with("created", ddb::attribute_value::string("HEAD"))));
  BOOST_TEST(corrupt(with("type", ddb::attribute_value::number(1))));
  BOOST_TEST(corrupt(with("sequence", ddb::attribute_value::number(-1))));
  BOOST_TEST(corrupt(with("meta", ddb::attribute_value::string("{}"))));
  BOOST_TEST(corrupt(with("s3Reference", ddb::attribute_value::string("no-separator"))));
  // A payload that is not one JSON value would make the tool print a line that is not JSON.
  BOOST_TEST(corrupt(with("payload", ddb::attribute_value::string(""))));
  BOOST_TEST(corrupt(with("payload", ddb::attribute_value::string("{\"a\":"))));
  BOOST_TEST(corrupt(with("payload", ddb::attribute_value::string("1 2"))));
  BOOST_TEST(!corrupt(with("payload", ddb::attribute_value::string(" \"text\" "))));
}

BOOST_AUTO_TEST_CASE(decoded_items_keep_their_created_text) {
  ddb::item item = evstore::to_item(sample());
  item["created"] = ddb::attribute_value::string("2024-05-01T12:34:56.789123Z");
  const evstore::decoded_item decoded = evstore::event_from_item(item);
  BOOST_TEST(decoded.created_key == "2024-05-01T12:34:56.789123Z");
}

BOOST_AUTO_TEST_CASE(keys_of_events_and_heads) {
  BOOST_TEST(evstore::event_key("x") == "EventID#x");
  BOOST_TEST(evstore::head_key("account", "a1") == "EventID#HEAD::account::a1");
  BOOST_TEST(evstore::head_key("account", "") == "EventID#HEAD::account::");
  const ddb::item head = evstore::head_item_key("account", "a1");
  BOOST_TEST(head.at("created").as_string() == "HEAD");
  BOOST_TEST(evstore::head_version(std::nullopt) == 0u);
  ddb::item with_version = head;
  with_version.emplace("version", ddb::attribute_value::number(42));
  BOOST_TEST(evstore::head_version(with_version) == 42u);
  with_version["version"] = ddb::attribute_value::string("x");
  BOOST_CHECK_THROW(evstore::head_version(with_version), boost::system::system_error);
  BOOST_TEST(evstore::parse_s3_reference("b::events/k::x.json").key == "events/k::x.json");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(event_item_size_is_the_size_of_the_item) {
  std::vector<evstore::event> events;
  events.push_back(sample());
  evstore::event minimal;
  minimal.id = "a";
  minimal.domain = "d";
  minimal.type = "t";
  events.push_back(minimal);  // no time yet, sequence 0, no optional attribute
  evstore::event empty_identifier = sample();
  empty_identifier.identifier = "";
  empty_identifier.meta_json.reset();
  empty_identifier.sequence = 123456789012;
  events.push_back(empty_identifier);
  evstore::event large = sample();
  large.payload_json = "\"" + std::string(5000, 'p') + "\"";
  large.created = evstore::parse_iso8601("2031-12-31T23:59:59.999Z");
  events.push_back(large);
  const std::optional<evstore::s3_location> offloaded =
      evstore::s3_location{"bucket", "events/2024/0f1e.json"};
  for (const evstore::event& e : events) {
    for (const unsigned shards : {1u, 16u}) {
      BOOST_TEST(evstore::event_item_size(e, {}, shards) ==
                 evstore::item_size(evstore::to_item(e, {}, shards)));
      BOOST_TEST(evstore::event_item_size(e, offloaded, shards) ==
                 evstore::item_size(evstore::to_item(e, offloaded, shards)));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
