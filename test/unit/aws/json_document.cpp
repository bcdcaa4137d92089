// parse_json: the library's one JSON reader (json_scanner) building a Boost.JSON value. The
// same values as boost::json::parse for the texts both read, numbers out of a double's range as
// infinity or zero, and errors that say where.

#include "evstore/aws/detail/json_document.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

BOOST_AUTO_TEST_SUITE(json_document)

namespace json = boost::json;
using evstore::aws::detail::parse_json;

BOOST_AUTO_TEST_CASE(documents_read_as_boost_json_reads_them) {
  const std::vector<std::string> texts{
      R"({"a":1,"b":[true,false,null],"c":{"d":"e\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}})",
      R"([-1,0,-0,1.5,-2.25e-3,1E+2,9223372036854775807,-9223372036854775808])",
      R"([18446744073709551615,18446744073709551616,-9223372036854775809])",
      R"({"dup":1,"dup":2})",
      " \t\r\n\"caf\xC3\xA9\" ",
      "[]",
      "{}",
      "null",
      "12"};
  for (const std::string& text : texts) {
    BOOST_TEST_CONTEXT(text) {
      std::string error;
      const std::optional<json::value> ours = parse_json(text, error);
      BOOST_TEST_REQUIRE(ours.has_value(), error);
      BOOST_TEST(*ours == json::parse(text), json::serialize(*ours));
    }
  }
}

BOOST_AUTO_TEST_CASE(numbers_beyond_a_double_are_infinity_or_zero) {
  std::string error;
  const std::optional<json::value> read =
      parse_json("[1e400,-1e400,1e-400,-1e-400,0.0001e-320,123456e305,-0e530,0e99999]", error);
  BOOST_TEST_REQUIRE(read.has_value(), error);
  const json::array& numbers = read->as_array();
  BOOST_TEST(numbers[0].as_double() == HUGE_VAL);
  BOOST_TEST(numbers[1].as_double() == -HUGE_VAL);
  BOOST_TEST(numbers[2].as_double() == 0.0);
  BOOST_TEST(std::signbit(numbers[3].as_double()));
  BOOST_TEST(numbers[3].as_double() == 0.0);
  BOOST_TEST(numbers[4].as_double() == 0.0);
  BOOST_TEST(numbers[5].as_double() == HUGE_VAL);
  BOOST_TEST(numbers[6].as_double() == 0.0);
  BOOST_TEST(numbers[7].as_double() == 0.0);
}

BOOST_AUTO_TEST_CASE(errors_say_what_and_where) {
  std::string error;
  BOOST_TEST(!parse_json(R"({"a":1,})", error));
  BOOST_TEST(error == "expected a member name at offset 7 of 8 bytes");
  BOOST_TEST(!parse_json("", error));
  BOOST_TEST(error.find("unexpected end of the text") != std::string::npos, error);
  BOOST_TEST(!parse_json("[1] x", error));
  BOOST_TEST(error.find("extra data") != std::string::npos, error);
  BOOST_TEST(!parse_json("\"\xFF\"", error));
  // Nesting is bounded: Boost.JSON's default of 32 unless the caller asks for more.
  const std::string deep = std::string(33, '[') + std::string(33, ']');
  BOOST_TEST(!parse_json(deep, error));
  BOOST_TEST(error.find("nested too deeply") != std::string::npos, error);
  BOOST_TEST(parse_json(deep, error, {}, 64).has_value());
}

BOOST_AUTO_TEST_CASE(the_document_lives_in_the_storage_given) {
  json::monotonic_resource resource;
  std::string error;
  const std::optional<json::value> read = parse_json(
      R"({"k":["a long enough string to allocate"]})", error, json::storage_ptr(&resource));
  BOOST_TEST_REQUIRE(read.has_value());
  BOOST_TEST(read->storage().get() == json::storage_ptr(&resource).get());
}

BOOST_AUTO_TEST_SUITE_END()
