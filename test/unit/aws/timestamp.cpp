// RFC 1123 and ISO 8601 parsing.

#include "evstore/aws/timestamp.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(timestamp)

namespace aws = evstore::aws;
using namespace std::chrono;

namespace {
system_clock::time_point at(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}
}  // namespace

BOOST_AUTO_TEST_CASE(http_dates) {
  BOOST_TEST((aws::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == at(1994, 11, 6, 8, 49, 37)));
  BOOST_TEST(
      (aws::parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT") == at(2024, 2, 29, 23, 59, 59)));
  for (const char* bad : {"", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
                          "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 30 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                          "Sun, 06 Nov 1994 08:60:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                          "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:3x GMT"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!aws::parse_http_date(bad));
    }
  }
}

BOOST_AUTO_TEST_CASE(iso8601_times) {
  BOOST_TEST((aws::parse_iso8601("2017-05-17T15:09:54Z") == at(2017, 5, 17, 15, 9, 54)));
  BOOST_TEST((aws::parse_iso8601("2017-05-17T15:09:54.250Z") ==
              at(2017, 5, 17, 15, 9, 54) + milliseconds{250}));
  BOOST_TEST((aws::parse_iso8601("2017-05-17T17:09:54+02:00") == at(2017, 5, 17, 15, 9, 54)));
  BOOST_TEST((aws::parse_iso8601("2017-05-17T10:39:54-04:30") == at(2017, 5, 17, 15, 9, 54)));
  for (const char* bad : {"", "2017-05-17", "2017-05-17T15:09:54", "2017-05-17 15:09:54Z",
                          "2017-13-17T15:09:54Z", "2017-05-17T15:09:54ZZ", "2017-05-17T15:09:54.Z",
                          "2017-05-17T15:09:54+0200", "2017-05-17T15:09:54+02:00x"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(!aws::parse_iso8601(bad));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
