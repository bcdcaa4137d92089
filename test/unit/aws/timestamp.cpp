// RFC 1123 and ISO 8601 parsing.

#include "aws/timestamp.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

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

BOOST_AUTO_TEST_CASE(iso8601_reader_says_what_is_wrong) {
  std::string why;
  const auto early = aws::read_iso8601("0001-01-01T00:00:00.5-01:00", why);
  BOOST_TEST_REQUIRE(early.has_value());
  BOOST_TEST((early->seconds == sys_days{year{1} / 1 / 1} + hours{1}));
  BOOST_TEST((early->fraction == milliseconds{500}));
  const std::pair<const char*, const char*> refused[] = {
      {"2024-13-01T00:00:00Z", "the month must be 01 to 12"},
      {"2023-02-29T00:00:00Z", "the day does not exist in that month"},
      {"2024-05-01T12:34:60Z", "the second must be 00 to 59"},  // no leap seconds
      {"2024-05-01T12:34:56.1234567890Z", "1 to 9 digits"},
      {"2024-05-01T12:34:56", "the zone is missing"},
      {"2024-05-01 12:34:56Z", "expected 'T' at position 11"},
      {"2024-05-01T12:34:56+24:00", "the offset is out of range"},
      {"2024-05", "expected '-' at position 8"}};
  for (const auto& [text, reason] : refused) {
    BOOST_TEST_CONTEXT(text) {
      why.clear();
      BOOST_TEST(!aws::read_iso8601(text, why));
      BOOST_TEST(why.find(reason) != std::string::npos, why);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
