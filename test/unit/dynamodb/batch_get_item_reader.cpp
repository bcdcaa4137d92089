// read_batch_get_item_result: a BatchGetItem body read in one pass, the items of one table handed
// to a visitor attribute by attribute. The visitor gets exactly what parse_batch_get_item_result
// finds, unprocessed keys and consumed capacity come back, and malformed bodies are errors that
// name where they are.

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/error.hpp"

BOOST_AUTO_TEST_SUITE(batch_get_item_reader)

namespace ddb = evstore::dynamodb;

/// Keeps every item it is given as an item map; wants every attribute but those in `skipped`.
class recording_visitor final : public ddb::batch_get_item_visitor {
 public:
  std::vector<ddb::item> items;
  std::vector<std::string> skipped;
  std::vector<std::string> events;

  void on_item_begin() override {
    events.emplace_back("begin");
    items.emplace_back();
  }
  bool on_attribute(std::string_view name) override {
    events.emplace_back(name);
    name_ = name;
    for (const std::string& s : skipped)
      if (s == name) return false;
    return true;
  }
  void on_value(ddb::attribute_value value) override {
    events.emplace_back("value");
    items.back().insert_or_assign(name_, std::move(value));
  }
  void on_item_end() override { events.emplace_back("end"); }

 private:
  std::string name_;
};

/// Runs fn, which must throw system_error with `expected` and a message containing `fragment`.
template <class Fn>
void check_error(Fn fn, ddb::errc expected, std::string_view fragment) {
  try {
    fn();
    BOOST_ERROR("no error; expected " << make_error_code(expected).message() << ": " << fragment);
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == make_error_code(expected), e.code().message() << " / " << e.what());
    BOOST_TEST(std::string_view(e.what()).find(fragment) != std::string_view::npos, e.what());
  }
}

void read_table_t(std::string_view body) {
  recording_visitor visitor;
  (void)ddb::read_batch_get_item_result(body, "t", visitor);
}

constexpr std::string_view every_type_body =
    R"({"Responses":{"other":[{"k":{"S":"not this table"}}],"t":[)"
    R"({"id":{"S":"a\"b\u00e9"},"n":{"N":"-1.5E3"},"bin":{"B":"AQID"},"nul":{"NULL":true},)"
    R"("yes":{"BOOL":true},"m":{"M":{"x":{"L":[{"S":"1"},{"N":"2"}]}}},"ss":{"SS":["p","q"]},)"
    R"("ns":{"NS":["1","2"]},"bs":{"BS":["AQ=="]}},)"
    R"({"id":{"S":"second"}}]},)"
    R"("UnprocessedKeys":{"t":{"Keys":[{"id":{"S":"u1"}},{"id":{"S":"u2"}}],"ConsistentRead":true},)"
    R"("other":{"Keys":[{"k":{"S":"z"}}]}},)"
    R"("ConsumedCapacity":[{"TableName":"t","CapacityUnits":2.5},{"TableName":"other",)"
    R"("CapacityUnits":1}]})";

BOOST_AUTO_TEST_CASE(the_visitor_gets_the_items_the_dom_parser_finds) {
  recording_visitor visitor;
  const ddb::batch_get_item_remainder rest =
      ddb::read_batch_get_item_result(every_type_body, "t", visitor);
  const ddb::batch_get_item_result dom = ddb::parse_batch_get_item_result(every_type_body);
  BOOST_TEST_REQUIRE(visitor.items.size() == 2u);
  BOOST_TEST((visitor.items == dom.responses.at("t")));
  BOOST_TEST(visitor.items[0].at("id").as_string() == "a\"b\xC3\xA9");
  BOOST_TEST(visitor.items[0].at("n").as_number_text() == "-1.5E3");
  BOOST_TEST((rest.unprocessed_keys == dom.unprocessed_keys.at("t").keys));
  BOOST_TEST(rest.consumed_capacity_units == 3.5);
}

BOOST_AUTO_TEST_CASE(calls_come_in_item_order_and_unwanted_values_are_left_out) {
  recording_visitor visitor;
  visitor.skipped = {"n", "m"};
  (void)ddb::read_batch_get_item_result(
      R"({"Responses":{"t":[{"id":{"S":"a"},"n":{"N":"1"},"m":{"M":{}}},{}]}})", "t", visitor);
  const std::vector<std::string> expected{"begin", "id", "value", "n", "m", "end", "begin", "end"};
  BOOST_TEST(visitor.events == expected, boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(visitor.items.size() == 2u);
  BOOST_TEST(visitor.items[0].size() == 1u);
  // An unwanted value is still checked.
  visitor.skipped = {"n"};
  check_error(
      [&] {
        (void)ddb::read_batch_get_item_result(R"({"Responses":{"t":[{"n":{"N":"x"}}]}})", "t",
                                              visitor);
      },
      ddb::errc::invalid_attribute, "BatchGetItem.Responses.t[0].n.N: N is not a decimal number");
}

BOOST_AUTO_TEST_CASE(a_response_without_the_table_has_no_items) {
  recording_visitor visitor;
  const ddb::batch_get_item_remainder rest =
      ddb::read_batch_get_item_result(every_type_body, "absent", visitor);
  BOOST_TEST(visitor.events.empty());
  BOOST_TEST(rest.unprocessed_keys.empty());
  BOOST_TEST(rest.consumed_capacity_units == 3.5);
}

BOOST_AUTO_TEST_CASE(what_the_visitor_throws_stops_the_reading) {
  class refusing_visitor final : public ddb::batch_get_item_visitor {
   public:
    int items = 0;
    void on_item_begin() override {}
    bool on_attribute(std::string_view) override { return true; }
    void on_value(ddb::attribute_value) override {}
    void on_item_end() override {
      if (++items == 2) throw std::invalid_argument("the second item is refused");
    }
  } visitor;
  BOOST_CHECK_THROW(
      (void)ddb::read_batch_get_item_result(R"({"Responses":{"t":[{},{},{}]}})", "t", visitor),
      std::invalid_argument);
  BOOST_TEST(visitor.items == 2);
}

BOOST_AUTO_TEST_CASE(malformed_envelopes_are_clear_errors) {
  const auto malformed = ddb::errc::malformed_response;
  auto check = [&](std::string_view body, std::string_view fragment) {
    check_error([&] { read_table_t(body); }, malformed, fragment);
  };
  check("", "BatchGetItem response body is not JSON");
  check(R"({"Responses":{"t":[)", "BatchGetItem response body is not JSON");
  check(R"({"Responses":{}} x)", "not JSON");
  check("[]", "BatchGetItem: expected a JSON object, found an array");
  check(R"("text")", "BatchGetItem: expected a JSON object, found a string");
  check(R"({"UnprocessedKeys":{}})", R"(BatchGetItem: missing member "Responses")");
  check(R"({"Responses":[]})", "BatchGetItem.Responses: expected an object");
  check(R"({"Responses":null})", "BatchGetItem.Responses: expected an object, found null");
  check(R"({"Responses":{"t":{}}})", "BatchGetItem.Responses.t: expected an array");
  check(R"({"Responses":{"t":[1]}})",
        "BatchGetItem.Responses.t[0]: expected an object, found a number");
  check(R"({"Responses":{"t":[]},"UnprocessedKeys":{"t":[]}})",
        "BatchGetItem.UnprocessedKeys.t: expected an object");
  check(R"({"Responses":{"t":[]},"UnprocessedKeys":{"t":{}}})",
        R"(BatchGetItem.UnprocessedKeys.t: missing member "Keys")");
  check(R"({"Responses":{"t":[]},"ConsumedCapacity":{}})",
        "BatchGetItem.ConsumedCapacity: expected an array, found an object");
  check(R"({"Responses":{"t":[]},"ConsumedCapacity":[{"CapacityUnits":"1"}]})",
        "BatchGetItem.ConsumedCapacity[0].CapacityUnits: expected a number");
  // Members the reader does not need are skipped whatever they hold.
  recording_visitor visitor;
  const ddb::batch_get_item_remainder rest = ddb::read_batch_get_item_result(
      R"({"ConsumedCapacity":[{"x":[1,{"y":null}]}],"Responses":{"u":[1,"2"],"t":[]},)"
      R"("UnprocessedKeys":null,"Other":"z"})",
      "t", visitor);
  BOOST_TEST(visitor.events.empty());
  BOOST_TEST(rest.unprocessed_keys.empty());
}

BOOST_AUTO_TEST_CASE(bad_attribute_values_name_their_path) {
  const auto invalid = ddb::errc::invalid_attribute;
  auto item = [](std::string_view attributes) {
    return R"({"Responses":{"t":[)" + std::string(attributes) + "]}}";
  };
  check_error([&] { read_table_t(item(R"({"id":{"S":1}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id.S: expected a string for S, found a number");
  check_error([&] { read_table_t(item(R"({"id":{}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { read_table_t(item(R"({"id":{"S":"a","N":"1"}})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { read_table_t(item(R"({"id":"a"})")); }, invalid,
              "BatchGetItem.Responses.t[0].id: expected an AttributeValue");
  check_error([&] { read_table_t(item(R"({},{"m":{"M":{"a":{"N":"x"}}}})")); }, invalid,
              "BatchGetItem.Responses.t[1].m.M.a.N: N is not a decimal number");
  check_error([&] { read_table_t(item(R"({"blob":{"B":"not base64!"}})")); }, invalid,
              "BatchGetItem.Responses.t[0].blob.B");
  check_error([&] { read_table_t(item(R"({"x":{"Q":"1"}})")); }, invalid,
              "unknown AttributeValue type \"Q\"");
  check_error(
      [&] { read_table_t(R"({"Responses":{"t":[]},"UnprocessedKeys":{"t":{"Keys":[1]}}})"); },
      invalid, "BatchGetItem.UnprocessedKeys.t.Keys[0]: expected an object of attributes");
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
      read_table_t(body);
    } catch (const boost::system::system_error& e) {
      refused_as_json = std::string_view(e.what()).find("not JSON") != std::string_view::npos;
    }
    BOOST_TEST(refused_as_json == static_cast<bool>(ec), body);
  }
}

BOOST_AUTO_TEST_SUITE_END()
