// The server's clock offset from a response's Date header.

#include "aws/clock_skew.hpp"

#include <boost/test/unit_test.hpp>

#include "aws/timestamp.hpp"

BOOST_AUTO_TEST_SUITE(clock_skew)

namespace aws = evstore::aws;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(offset_from_the_date_header) {
  const auto server_time = *aws::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT");
  evstore::http::response res;
  res.headers.push_back({"date", "Sun, 06 Nov 1994 08:49:37 GMT"});  // any case
  const auto behind = aws::server_clock_offset(res, server_time - 10min);
  BOOST_REQUIRE(behind);
  BOOST_TEST((*behind == std::chrono::system_clock::duration{10min}));
  BOOST_TEST(aws::is_skewed(*behind));
  const auto ahead = aws::server_clock_offset(res, server_time + 2min);
  BOOST_TEST((*ahead == std::chrono::system_clock::duration{-2min}));
  BOOST_TEST(!aws::is_skewed(*ahead));
  BOOST_TEST(aws::is_skewed(-5min));
}

BOOST_AUTO_TEST_CASE(no_offset_without_a_valid_date) {
  evstore::http::response res;
  BOOST_TEST(!aws::server_clock_offset(res, std::chrono::system_clock::now()));
  res.headers.push_back({"Date", "yesterday"});
  BOOST_TEST(!aws::server_clock_offset(res, std::chrono::system_clock::now()));
}

BOOST_AUTO_TEST_SUITE_END()
