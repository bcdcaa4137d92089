// parse_json (trees, read by Boost.JSON's parser) with its errors and storage; json_scanner's
// numbers beyond a double's range (infinity or zero, as Boost.JSON reads them).

#include "aws/json_document.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "aws/json_scanner.hpp"

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

/// Keeps the numbers json_scanner reads as doubles.
struct doubles_handler {
  std::vector<double> values;
  void on_object_begin() {}
  void on_object_end(std::size_t) {}
  void on_array_begin() {}
  void on_array_end(std::size_t) {}
  void on_key(std::string_view) {}
  void on_string(std::string_view) {}
  void on_int64(std::int64_t) {}
  void on_uint64(std::uint64_t) {}
  void on_double(double d) { values.push_back(d); }
  void on_bool(bool) {}
  void on_null() {}
};

BOOST_AUTO_TEST_CASE(scanned_numbers_beyond_a_double_are_infinity_or_zero) {
  doubles_handler handler;
  const std::string_view text = "[1e400,-1e400,1e-400,-1e-400,0.0001e-320,123456e305,1.5]";
  evstore::aws::detail::json_scanner<doubles_handler>(text, handler, 4).run();
  const std::vector<double>& numbers = handler.values;
  BOOST_TEST_REQUIRE(numbers.size() == 7u);
  BOOST_TEST(numbers[0] == HUGE_VAL);
  BOOST_TEST(numbers[1] == -HUGE_VAL);
  BOOST_TEST(numbers[2] == 0.0);
  BOOST_TEST(std::signbit(numbers[3]));
  BOOST_TEST(numbers[3] == 0.0);
  BOOST_TEST(numbers[4] == 0.0);
  BOOST_TEST(numbers[5] == HUGE_VAL);
  BOOST_TEST(numbers[6] == 1.5);
  // Boost.JSON reads the same.
  const json::array boost_read = json::parse(text).as_array();
  for (std::size_t i = 0; i < numbers.size(); ++i)
    BOOST_TEST(boost_read[i].as_double() == numbers[i], "number " << i);
}

BOOST_AUTO_TEST_CASE(errors_say_what) {
  std::string error;
  BOOST_TEST(!parse_json(R"({"a":1,})", error));
  BOOST_TEST(error.find("8 bytes") != std::string::npos, error);
  BOOST_TEST(!parse_json("", error));
  BOOST_TEST(!parse_json("[1] x", error));
  BOOST_TEST(!parse_json("\"\xFF\"", error));
  // Nesting is bounded: Boost.JSON's default of 32 unless the caller asks for more.
  const std::string deep = std::string(33, '[') + std::string(33, ']');
  BOOST_TEST(!parse_json(deep, error));
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
