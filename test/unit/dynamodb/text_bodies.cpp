// BatchGetItem and TransactWriteItems bodies are written as text, not through a JSON document:
// they must read back as the document the wire form (to_json) describes, for every type and for
// strings holding quotes, backslashes, control characters and non-ASCII text.

#include <boost/test/unit_test.hpp>

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/transact_write_items.hpp"

BOOST_AUTO_TEST_SUITE(text_bodies)

namespace ddb = evstore::dynamodb;
using ddb::attribute_value;

namespace {

std::string awkward_text() {
  std::string text = "quote \" backslash \\ slash / caf\xC3\xA9 \xF0\x9F\x98\x80 ";
  for (char c = 0; c < 0x20; ++c) text += c;
  text += '\x7f';
  return text;
}

ddb::item every_type() {
  return {{"s", attribute_value::string(awkward_text())},
          {"n", attribute_value::number("-12.5e-3")},
          {"b", attribute_value::binary(std::string("\x00\x01\xff", 3))},
          {"t", attribute_value::boolean(true)},
          {"f", attribute_value::boolean(false)},
          {"z", attribute_value::null()},
          {"m", attribute_value::map({{"in \"k\"", attribute_value::number(7)}, {"e", {}}})},
          {"l", attribute_value::list({attribute_value::string(""), attribute_value::list({})})},
          {"ss", attribute_value::string_set({"a", "\n"})},
          {"ns", attribute_value::number_set({"1", "2.5"})},
          {"bs", attribute_value::binary_set({{1, 2}, {}})},
          {awkward_text(), attribute_value::string("key with escapes")}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(batch_get_item_body_reads_as_its_wire_form) {
  ddb::batch_get_item_request request;
  request.request_items["events \"a\""] = ddb::keys_and_attributes{
      {every_type(), {{"id", attribute_value::string("x")}}}, true, "#a, b", {{"#a", "a \\ b"}}};
  request.request_items["other"] =
      ddb::keys_and_attributes{{{{"id", attribute_value::string("y")}}}, false, std::nullopt, {}};
  request.return_consumed_capacity = ddb::return_consumed_capacity::total;

  boost::json::array keys{ddb::to_json(every_type()),
                          ddb::to_json(ddb::item{{"id", attribute_value::string("x")}})};
  const boost::json::value expected{
      {"RequestItems",
       {{"events \"a\"",
         {{"Keys", keys},
          {"ConsistentRead", true},
          {"ProjectionExpression", "#a, b"},
          {"ExpressionAttributeNames", {{"#a", "a \\ b"}}}}},
        {"other",
         {{"Keys",
           boost::json::array{ddb::to_json(ddb::item{{"id", attribute_value::string("y")}})}}}}}},
      {"ReturnConsumedCapacity", "TOTAL"}};
  BOOST_TEST(boost::json::parse(ddb::to_body(request)) == expected);
}

BOOST_AUTO_TEST_CASE(transact_write_items_body_reads_as_its_wire_form) {
  ddb::transact_write_items_request request;
  request.items.push_back(
      ddb::transact_put{.table_name = "t",
                        .item = every_type(),
                        .condition_expression = "attribute_not_exists(#i)",
                        .names = {{"#i", "id"}},
                        .values = {},
                        .return_values_on_condition_check_failure =
                            ddb::return_values_on_condition_check_failure::all_old});
  request.items.push_back(ddb::transact_update{.table_name = "t",
                                               .key = {{"id", attribute_value::string("h")}},
                                               .update_expression = "SET v = :v",
                                               .condition_expression = std::nullopt,
                                               .names = {},
                                               .values = {{":v", attribute_value::number(3)}}});
  request.items.push_back(
      ddb::transact_delete{.table_name = "t", .key = {{"id", attribute_value::string("d")}}});
  request.items.push_back(
      ddb::transact_condition_check{.table_name = "t",
                                    .key = {{"id", attribute_value::string("c")}},
                                    .condition_expression = "v = :v",
                                    .names = {},
                                    .values = {{":v", attribute_value::string(awkward_text())}}});
  request.client_request_token = "token-1";

  const boost::json::value expected{
      {"TransactItems",
       {{{"Put",
          {{"TableName", "t"},
           {"ConditionExpression", "attribute_not_exists(#i)"},
           {"ExpressionAttributeNames", {{"#i", "id"}}},
           {"ReturnValuesOnConditionCheckFailure", "ALL_OLD"},
           {"Item", ddb::to_json(every_type())}}}},
        {{"Update",
          {{"TableName", "t"},
           {"ExpressionAttributeValues",
            ddb::to_json(ddb::item{{":v", attribute_value::number(3)}})},
           {"Key", ddb::to_json(ddb::item{{"id", attribute_value::string("h")}})},
           {"UpdateExpression", "SET v = :v"}}}},
        {{"Delete",
          {{"TableName", "t"},
           {"Key", ddb::to_json(ddb::item{{"id", attribute_value::string("d")}})}}}},
        {{"ConditionCheck",
          {{"TableName", "t"},
           {"ConditionExpression", "v = :v"},
           {"ExpressionAttributeValues",
            ddb::to_json(ddb::item{{":v", attribute_value::string(awkward_text())}})},
           {"Key", ddb::to_json(ddb::item{{"id", attribute_value::string("c")}})}}}}}},
      {"ClientRequestToken", "token-1"}};
  BOOST_TEST(boost::json::parse(ddb::to_body(request)) == expected);
}

BOOST_AUTO_TEST_CASE(escapes_at_every_position_of_a_block) {
  // Strings are checked eight bytes at a time: an escape anywhere in or across blocks, and
  // bytes that only look special to the block test (0x80 and up, 0x7f), all come out right.
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u, 40u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (char special : {'"', '\\', '\n', '\x01', '\x1f', '\x7f', '\xc3'}) {
        if (special == '\xc3' && at + 1 == length) continue;  // no room for its second byte
        std::string text(length, 'a');
        text[at] = special;
        if (special == '\xc3') text[at + 1] = '\xa9';
        ddb::batch_get_item_request request;
        request.request_items["t"] =
            ddb::keys_and_attributes{{{{"k", attribute_value::string(text)}}}, false, {}, {}};
        const boost::json::value body = boost::json::parse(ddb::to_body(request));
        BOOST_TEST(body.at("RequestItems").at("t").at("Keys").at(0).at("k").at("S").as_string() ==
                   text);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
