#include "evstore/http/message.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(message)

using namespace evstore::http;

BOOST_AUTO_TEST_SUITE(http_message)

BOOST_AUTO_TEST_CASE(find_header_ignores_case_and_returns_the_first_match) {
  const header_list headers{{"Content-Type", "application/x-amz-json-1.0"},
                            {"x-amz-crc32", "123"},
                            {"X-AMZ-CRC32", "456"}};
  BOOST_TEST(find_header(headers, "content-type") == "application/x-amz-json-1.0");
  BOOST_TEST(find_header(headers, "CONTENT-TYPE") == "application/x-amz-json-1.0");
  BOOST_TEST(find_header(headers, "X-Amz-Crc32") == "123");
}

BOOST_AUTO_TEST_CASE(find_header_returns_empty_when_absent) {
  const header_list headers{{"Content-Type", "text/plain"}};
  BOOST_TEST(find_header(headers, "Content-Length").empty());
  BOOST_TEST(find_header(headers, "Content-Typ").empty());
  BOOST_TEST(find_header({}, "Host").empty());
}

BOOST_AUTO_TEST_CASE(response_header_looks_up_its_headers) {
  const response r{200, {{"ETag", "\"abc\""}}, "body"};
  BOOST_TEST(r.header("etag") == "\"abc\"");
  BOOST_TEST(r.header("date").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
