#include "s3/multipart_etag.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(multipart_etag)

using namespace evstore;

BOOST_AUTO_TEST_SUITE(s3_multipart_etag)

// Expected values from the command line, e.g. for two parts:
//   printf 'hello ' > p1; printf 'world' > p2
//   (openssl md5 -binary p1; openssl md5 -binary p2) | openssl md5
BOOST_AUTO_TEST_CASE(is_the_md5_of_the_part_digests_and_the_part_count) {
  const std::vector<std::string_view> two = {"hello ", "world"};
  BOOST_TEST(s3::multipart_etag(two) == "e09e4fd6265b36115fe3db32df945d84-2");
  const std::vector<std::string_view> one = {"hello "};
  BOOST_TEST(s3::multipart_etag(one) == "875ddeafb76eca4041e9437988c57cc6-1");
  const std::vector<std::string_view> empty_part = {""};
  BOOST_TEST(s3::multipart_etag(empty_part) == "59adb24ef3cdbe0297f05b395827453f-1");
}

BOOST_AUTO_TEST_CASE(depends_on_where_the_parts_split) {
  const std::vector<std::string_view> split_early = {"hello", " world"};
  const std::vector<std::string_view> split_late = {"hello ", "world"};
  const std::vector<std::string_view> whole = {"hello world"};
  BOOST_TEST(s3::multipart_etag(split_early) != s3::multipart_etag(split_late));
  BOOST_TEST(s3::multipart_etag(whole).ends_with("-1"));
}

BOOST_AUTO_TEST_CASE(part_digests_are_binary_not_hex) {
  // MD5 of the 32 hex characters of MD5("hello "), not of its 16 bytes:
  //   printf 'hello ' | openssl md5 -r | cut -c1-32 | tr -d '\n' | openssl md5
  const std::vector<std::string_view> one = {"hello "};
  BOOST_TEST(s3::multipart_etag(one) != "7a17bf362967eeb2f1dbd00ef273d72b-1");
}

BOOST_AUTO_TEST_CASE(matches_quoted_or_bare_etags_only_when_equal) {
  BOOST_TEST(s3::etag_matches("\"e09e4fd6265b36115fe3db32df945d84-2\"",
                              "e09e4fd6265b36115fe3db32df945d84-2"));
  BOOST_TEST(
      s3::etag_matches("e09e4fd6265b36115fe3db32df945d84-2", "e09e4fd6265b36115fe3db32df945d84-2"));
  BOOST_TEST(!s3::etag_matches("\"e09e4fd6265b36115fe3db32df945d84-3\"",
                               "e09e4fd6265b36115fe3db32df945d84-2"));
  BOOST_TEST(!s3::etag_matches("\"e09e4fd6265b36115fe3db32df945d84\"",
                               "e09e4fd6265b36115fe3db32df945d84-2"));
  BOOST_TEST(!s3::etag_matches("", "e09e4fd6265b36115fe3db32df945d84-2"));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
