#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/error.hpp"
#include "recorded.hpp"

BOOST_AUTO_TEST_SUITE(attribute_value)

namespace ddb = evstore::dynamodb;
using ddb::attribute_type;
using ddb::attribute_value;
using ddb::test::check_error;

namespace {

ddb::item every_type() {
  return {{"s", attribute_value::string("text \"quoted\" \xC3\xA9")},
          {"n", attribute_value::number("-12.5e-3")},
          {"b", attribute_value::binary(std::string_view("\0\x01\xFF", 3))},
          {"bool", attribute_value::boolean(false)},
          {"null", attribute_value::null()},
          {"m", attribute_value::map({{"inner", attribute_value::number(7)}})},
          {"l", attribute_value::list({attribute_value::string(""), attribute_value::null()})},
          {"ss", attribute_value::string_set({"x", "y"})},
          {"ns", attribute_value::number_set({"1", "99999999999999999999999999999999999999"})},
          {"bs", attribute_value::binary_set({{1, 2}, {3}})}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(types_and_accessors) {
  const ddb::item item = every_type();
  BOOST_TEST((item.at("s").type() == attribute_type::s));
  BOOST_TEST((item.at("ns").type() == attribute_type::ns));
  BOOST_TEST(ddb::wire_name(item.at("bool").type()) == "BOOL");
  BOOST_TEST(ddb::wire_name(item.at("bs").type()) == "BS");
  BOOST_TEST(item.at("n").as_number_text() == "-12.5e-3");
  BOOST_TEST(item.at("b").as_binary_view() == std::string_view("\0\x01\xFF", 3));
  BOOST_TEST(item.at("m").as_map().at("inner").as_int64() == 7);
  BOOST_TEST(item.at("null").is_null());
  BOOST_TEST(attribute_value().is_null());
  BOOST_TEST(!item.at("bool").as_bool());
  BOOST_TEST(item.at("l").as_list().size() == 2u);
  BOOST_TEST(item.at("ss").as_string_set().size() == 2u);
  BOOST_TEST(item.at("ns").as_number_set()[1].size() == 38u);
  BOOST_TEST(item.at("bs").as_binary_set()[1].size() == 1u);
  BOOST_TEST(item.contains(std::string_view("s")));  // transparent lookup

  check_error([&] { (void)item.at("s").as_number_text(); }, ddb::errc::attribute_type_mismatch,
              "attribute holds S, read as N");
  check_error([&] { (void)item.at("m").as_list(); }, ddb::errc::attribute_type_mismatch,
              "holds M, read as L");
}

BOOST_AUTO_TEST_CASE(numbers) {
  for (std::string_view ok : {"0", "-0", "12", "-1.5", "1e5", "1E+5", "2.5e-10", "0.001"}) {
    BOOST_TEST(ddb::is_number_text(ok), ok);
  }
  for (std::string_view bad : {"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "NaN", "Infinity",
                               " 1", "1 ", "0x10", "1,5"}) {
    BOOST_TEST(!ddb::is_number_text(bad), bad);
  }
  check_error([] { (void)attribute_value::number("12a"); }, ddb::errc::invalid_attribute,
              "not a DynamoDB number: \"12a\"");
}

BOOST_AUTO_TEST_CASE(numbers_in_dynamodb_range) {
  const std::string digits38 = "12345678901234567890123456789012345678";
  for (const std::string& ok : std::vector<std::string>{
           digits38, "-" + digits38, "0." + digits38, digits38 + "000", "1" + std::string(125, '0'),
           "9.9999999999999999999999999999999999999E+125", "1E-130", "-1e-130", "0.1e-129",
           "10e124", "0.00001e-125", "1." + std::string(400, '0'), "0e125", "0.0e-130", "-0"}) {
    BOOST_TEST(ddb::is_number_text(ok), ok);
  }
  for (const std::string& bad : std::vector<std::string>{
           digits38 + "9", "1" + digits38 + ".5", "0.0" + digits38 + "1", "1E+126", "10e125",
           "1" + std::string(126, '0'), "1E-131", "0.1e-130", "-1.5e-384567890123456789",
           "1e99999999999", "0e126", "0e-131", "1e99999999999999999999999999"}) {
    BOOST_TEST(!ddb::is_number_text(bad), bad);
  }
  check_error([] { (void)attribute_value::number("1E+126"); }, ddb::errc::invalid_attribute,
              "not a DynamoDB number");
}

// fuzz/regressions/attribute_value/number-exponent-overflow: a number whose exponent Boost.JSON
// cannot read was accepted on the wire, then written as document text that did not read back.
BOOST_AUTO_TEST_CASE(wire_number_beyond_range_is_rejected) {
  const auto wire = boost::json::parse(R"({"N":"-1.5e-384567890123456789012345678"})");
  check_error([&] { (void)ddb::attribute_value_from_json(wire); }, ddb::errc::invalid_attribute,
              "value.N: N is not a decimal number");
  const auto item = boost::json::parse(R"({"meta":{"M":{"a":{"N":"1e99999999999"}}}})");
  check_error([&] { (void)ddb::item_from_json(item); }, ddb::errc::invalid_attribute,
              "item.meta.M.a.N");
  check_error([] { (void)ddb::from_document_text(R"({"a":1e126})"); }, ddb::errc::invalid_attribute,
              "not a DynamoDB number");
  check_error(
      [] {
        (void)attribute_value::number_set({"1", "x"});
      },
      ddb::errc::invalid_attribute, "\"x\"");

  BOOST_TEST(attribute_value::number(std::numeric_limits<std::int64_t>::min()).as_int64() ==
             std::numeric_limits<std::int64_t>::min());
  BOOST_TEST(attribute_value::number(std::numeric_limits<std::uint64_t>::max()).as_uint64() ==
             std::numeric_limits<std::uint64_t>::max());
  check_error([] { (void)attribute_value::number("18446744073709551616").as_uint64(); },
              ddb::errc::invalid_attribute, "not an integer in range of uint64");
  check_error([] { (void)attribute_value::number("-1").as_uint64(); }, ddb::errc::invalid_attribute,
              "uint64");
  check_error([] { (void)attribute_value::number("1.0").as_int64(); }, ddb::errc::invalid_attribute,
              "int64");
}

BOOST_AUTO_TEST_CASE(wire_form_round_trip) {
  const ddb::item item = every_type();
  const boost::json::object json = ddb::to_json(item);
  BOOST_TEST(json.at("s") == boost::json::parse(R"({"S":"text \"quoted\" é"})"));
  BOOST_TEST(json.at("n") == boost::json::parse(R"({"N":"-12.5e-3"})"));
  BOOST_TEST(json.at("b") == boost::json::parse(R"({"B":"AAH/"})"));
  BOOST_TEST(json.at("null") == boost::json::parse(R"({"NULL":true})"));
  BOOST_TEST(json.at("m") == boost::json::parse(R"({"M":{"inner":{"N":"7"}}})"));
  BOOST_TEST(json.at("l") == boost::json::parse(R"({"L":[{"S":""},{"NULL":true}]})"));
  BOOST_TEST(json.at("bs") == boost::json::parse(R"({"BS":["AQI=","Aw=="]})"));
  BOOST_TEST((ddb::item_from_json(json) == item));
  // Through text, as on the wire.
  BOOST_TEST((ddb::item_from_json(boost::json::parse(boost::json::serialize(json))) == item));
}

BOOST_AUTO_TEST_CASE(wire_form_is_strict) {
  struct bad_case {
    const char* json;
    const char* message;
  };
  const bad_case cases[] = {
      {R"({"a":{"S":1}})", "item.a.S: expected a string for S, found a number"},
      {R"({"a":{"N":12}})", "item.a.N: expected a string for N"},
      {R"({"a":{"N":"1x"}})", "item.a.N: N is not a decimal number"},
      {R"({"a":{"B":"AA="}})", "item.a.B: invalid DynamoDB attribute value: base64"},
      {R"({"a":{"BOOL":"true"}})", "item.a.BOOL: expected a boolean"},
      {R"({"a":{"NULL":false}})", "item.a.NULL: expected true"},
      {R"({"a":{"S":"x","N":"1"}})", "item.a: expected an AttributeValue"},
      {R"({"a":{}})", "item.a: expected an AttributeValue"},
      {R"({"a":"plain"})", "item.a: expected an AttributeValue"},
      {R"({"a":{"X":"1"}})", "item.a: unknown AttributeValue type \"X\""},
      {R"({"a":{"M":{"b":{"L":[{"S":"ok"},{"N":true}]}}}})", "item.a.M.b.L[1].N"},
      {R"({"a":{"SS":"x"}})", "item.a.SS: expected an array for SS"},
      {R"({"a":{"NS":["1","y"]}})", "item.a.NS[1]: N is not a decimal number"},
      {R"({"a":{"BS":["AA==","*"]}})", "item.a.BS[1]"},
      {R"([1])", "item: expected an object of attributes, found an array"},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.json) {
      check_error([&] { (void)ddb::item_from_json(boost::json::parse(c.json)); },
                  ddb::errc::invalid_attribute, c.message);
    }
  }
}

BOOST_AUTO_TEST_CASE(base64) {
  // RFC 4648 section 10 test vectors.
  const std::pair<std::string_view, std::string_view> vectors[] = {{"", ""},
                                                                   {"f", "Zg=="},
                                                                   {"fo", "Zm8="},
                                                                   {"foo", "Zm9v"},
                                                                   {"foob", "Zm9vYg=="},
                                                                   {"fooba", "Zm9vYmE="},
                                                                   {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, encoded] : vectors) {
    BOOST_TEST(ddb::base64_encode(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()) ==
               encoded);
    const ddb::bytes decoded = ddb::base64_decode(encoded);
    BOOST_TEST(std::string_view(reinterpret_cast<const char*>(decoded.data()), decoded.size()) ==
               raw);
  }
  ddb::bytes all(256);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint8_t>(i);
  BOOST_TEST((ddb::base64_decode(ddb::base64_encode(all.data(), all.size())) == all));
  for (std::string_view bad : {"Zg=", "Zg", "Z===", "Zm9v!A==", "=Zg=", "Zg==Zg==", "Zm=v"}) {
    BOOST_TEST_CONTEXT(bad) {
      check_error([&] { (void)ddb::base64_decode(bad); }, ddb::errc::invalid_attribute, "base64");
    }
  }
}

BOOST_AUTO_TEST_CASE(document_from_value) {
  const auto doc = boost::json::parse(
      R"({"s":"x","i":-3,"u":18446744073709551615,"d":0.1,"t":true,"z":null,
          "m":{"k":[1,"two",{"deep":false}]}})");
  const ddb::item item = ddb::item_from_document(doc);
  BOOST_TEST(item.at("s").as_string() == "x");
  BOOST_TEST(item.at("i").as_number_text() == "-3");
  BOOST_TEST(item.at("u").as_number_text() == "18446744073709551615");
  BOOST_TEST(item.at("d").as_number_text() == "0.1");  // shortest round-trip text
  BOOST_TEST(item.at("t").as_bool());
  BOOST_TEST(item.at("z").is_null());
  const auto& list = item.at("m").as_map().at("k").as_list();
  BOOST_TEST(list.size() == 3u);
  BOOST_TEST(!list[2].as_map().at("deep").as_bool());
  BOOST_TEST(ddb::to_document(item) == doc);
  check_error([] { (void)ddb::item_from_document(boost::json::value(1)); },
              ddb::errc::invalid_attribute, "must be a JSON object, found a number");
}

BOOST_AUTO_TEST_CASE(document_text_keeps_number_precision) {
  const std::string text =
      R"({"big":123456789012345678901234567890123456.78,"tiny":1.000000000000000000001e-100,)"
      R"("int":-9223372036854775808,"list":[0.1,2E+3],"s":"a\"b\u00e9","nested":{"a":{}}})";
  const ddb::item item = ddb::item_from_document_text(text);
  BOOST_TEST(item.at("big").as_number_text() == "123456789012345678901234567890123456.78");
  BOOST_TEST(item.at("tiny").as_number_text() == "1.000000000000000000001e-100");
  BOOST_TEST(item.at("int").as_int64() == std::numeric_limits<std::int64_t>::min());
  BOOST_TEST(item.at("list").as_list()[1].as_number_text() == "2E+3");
  BOOST_TEST(item.at("s").as_string() == "a\"b\xC3\xA9");
  BOOST_TEST(item.at("nested").as_map().at("a").as_map().empty());
  // Written back with the exact number texts.
  const std::string written = ddb::to_document_text(item);
  BOOST_TEST(written.find("123456789012345678901234567890123456.78") != std::string::npos);
  BOOST_TEST((ddb::item_from_document_text(written) == item));
  BOOST_TEST(boost::json::parse(written) == boost::json::parse(text));

  // Numbers split across parser buffers still keep their text: a long one (one significant
  // digit: trailing zeros do not count against DynamoDB's 38).
  const std::string long_digits = "7." + std::string(500, '0');
  BOOST_TEST(ddb::from_document_text(long_digits).as_number_text() == long_digits);

  check_error([] { (void)ddb::item_from_document_text("[1]"); }, ddb::errc::invalid_attribute,
              "must be a JSON object, found L");
  check_error([] { (void)ddb::item_from_document_text(R"({"a":1)"); }, ddb::errc::invalid_attribute,
              "invalid JSON document");
  check_error([] { (void)ddb::item_from_document_text(R"({"a":1} x)"); },
              ddb::errc::invalid_attribute, "invalid JSON document at offset");
}

BOOST_AUTO_TEST_CASE(document_of_binary_and_sets) {
  const ddb::item item = every_type();
  const boost::json::object doc = ddb::to_document(item);
  BOOST_TEST(doc.at("b") == "AAH/");  // base64
  BOOST_TEST(doc.at("bs") == boost::json::parse(R"(["AQI=","Aw=="])"));
  BOOST_TEST(doc.at("ss") == boost::json::parse(R"(["x","y"])"));
  BOOST_TEST(doc.at("n").is_double());
  BOOST_TEST(doc.at("n").as_double() == -0.0125);
  BOOST_TEST(doc.at("ns").as_array()[0] == 1);
  BOOST_TEST(doc.at("ns").as_array()[1].is_double());  // too large for an integer type
  const std::string text = ddb::to_document_text(item);
  BOOST_TEST(text.find(R"("ns":[1,99999999999999999999999999999999999999])") != std::string::npos,
             text);
  BOOST_TEST(text.find(R"("null":null)") != std::string::npos, text);
}

// The document text shares the wire writer's string escaping: byte for byte what
// boost::json::serialize writes for the same document (every escaped byte, and raw UTF-8).
BOOST_AUTO_TEST_CASE(document_text_escapes_strings_as_boost_json_does) {
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte += static_cast<char>(c);
  const ddb::item item{
      {"s", attribute_value::string(every_byte)},
      {"key \"\\\n", attribute_value::boolean(false)},
      {"l", attribute_value::list({attribute_value::string("\x1f\t"), attribute_value::null()})},
      {"m", attribute_value::map({{"ss", attribute_value::string_set({"a\"", "b\x7f"})}})}};
  BOOST_TEST(ddb::to_document_text(item) == boost::json::serialize(ddb::to_document(item)));
}

BOOST_AUTO_TEST_SUITE_END()
