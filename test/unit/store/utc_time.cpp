#include <boost/test/unit_test.hpp>

#include <chrono>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"

BOOST_AUTO_TEST_SUITE(utc_time)

namespace chr = std::chrono;
using evstore::timestamp;

namespace {

timestamp at(int y, unsigned m, unsigned d, int h = 0, int mi = 0, int s = 0, int ms = 0) {
  return chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}} + chr::hours{h} +
         chr::minutes{mi} + chr::seconds{s} + chr::milliseconds{ms};
}

bool rejects(std::string_view text) {
  try {
    evstore::parse_iso8601(text);
  } catch (const boost::system::system_error& e) {
    return e.code() == evstore::store_errc::invalid_event;
  }
  return false;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_time)

BOOST_AUTO_TEST_CASE(formats_like_to_iso_string) {
  BOOST_TEST(evstore::format_iso8601(at(2024, 5, 1, 12, 34, 56, 789)) ==
             "2024-05-01T12:34:56.789Z");
  BOOST_TEST(evstore::format_iso8601(timestamp{}) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(evstore::format_iso8601(at(2024, 2, 29, 23, 59, 59, 999)) ==
             "2024-02-29T23:59:59.999Z");
  BOOST_TEST(evstore::format_iso8601(at(9999, 12, 31, 23, 59, 59, 999)) ==
             "9999-12-31T23:59:59.999Z");
  BOOST_TEST(evstore::format_iso8601(at(0, 1, 1)) == "0000-01-01T00:00:00.000Z");
  // Before 1970: negative milliseconds since the epoch still floor to the right day.
  BOOST_TEST(evstore::format_iso8601(timestamp{chr::milliseconds{-1}}) ==
             "1969-12-31T23:59:59.999Z");
}

BOOST_AUTO_TEST_CASE(format_rejects_years_iso_cannot_hold) {
  BOOST_CHECK_THROW(evstore::format_iso8601(at(10000, 1, 1)), boost::system::system_error);
  BOOST_CHECK_THROW(evstore::format_iso8601(at(-1, 12, 31)), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(parses_what_it_formats) {
  for (const timestamp t :
       {at(2024, 5, 1, 12, 34, 56, 789), timestamp{}, at(1999, 12, 31, 23, 59, 59, 1),
        timestamp{chr::milliseconds{-1}}, at(2100, 2, 28, 0, 0, 0, 10)}) {
    BOOST_CHECK(evstore::parse_iso8601(evstore::format_iso8601(t)) == t);
  }
}

BOOST_AUTO_TEST_CASE(parses_fractions_and_offsets) {
  BOOST_CHECK(evstore::parse_iso8601("2024-05-01T12:34:56Z") == at(2024, 5, 1, 12, 34, 56));
  BOOST_CHECK(evstore::parse_iso8601("2024-05-01T12:34:56.7Z") == at(2024, 5, 1, 12, 34, 56, 700));
  BOOST_CHECK(evstore::parse_iso8601("2024-05-01T12:34:56.123456789Z") ==
              at(2024, 5, 1, 12, 34, 56, 123));
  BOOST_CHECK(evstore::parse_iso8601("2024-05-01T14:34:56.000+02:00") ==
              at(2024, 5, 1, 12, 34, 56));
  BOOST_CHECK(evstore::parse_iso8601("2024-04-30T23:04:56.000-13:30") ==
              at(2024, 5, 1, 12, 34, 56));
}

BOOST_AUTO_TEST_CASE(rejects_malformed_times) {
  BOOST_TEST(rejects(""));
  BOOST_TEST(rejects("2024-05-01"));
  BOOST_TEST(rejects("2024-05-01T12:34:56.789"));   // no zone
  BOOST_TEST(rejects("2024-05-01 12:34:56.789Z"));  // space instead of T
  BOOST_TEST(rejects("2024-5-01T12:34:56.789Z"));   // one-digit month
  BOOST_TEST(rejects("2024-13-01T12:34:56.789Z"));
  BOOST_TEST(rejects("2024-00-01T12:34:56.789Z"));
  BOOST_TEST(rejects("2023-02-29T12:34:56.789Z"));  // not a leap year
  BOOST_TEST(rejects("2024-04-31T12:34:56.789Z"));
  BOOST_TEST(rejects("2024-05-01T24:00:00.000Z"));
  BOOST_TEST(rejects("2024-05-01T12:60:00.000Z"));
  BOOST_TEST(rejects("2024-05-01T12:34:60.000Z"));  // no leap seconds
  BOOST_TEST(rejects("2024-05-01T12:34:56.Z"));
  BOOST_TEST(rejects("2024-05-01T12:34:56.1234567890Z"));
  BOOST_TEST(rejects("2024-05-01T12:34:56.789Zx"));
  BOOST_TEST(rejects("2024-05-01T12:34:56.789+0200"));
  BOOST_TEST(rejects("+02024-05-01T12:34:56.789Z"));
  BOOST_TEST(rejects("2024-05-01T12:34:56,789Z"));
  // Offsets that carry the time out of the years UTC text can hold (it could not be written back).
  BOOST_TEST(rejects("0000-01-01T00:00:00.000+01:00"));
  BOOST_TEST(rejects("9999-12-31T23:30:00.000-01:00"));
}

BOOST_AUTO_TEST_CASE(error_names_the_text) {
  try {
    evstore::parse_iso8601("2024-02-30T00:00:00.000Z");
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("2024-02-30T00:00:00.000Z") != std::string::npos);
    BOOST_TEST(what.find("day") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(time_buckets_are_utc_months) {
  BOOST_TEST(evstore::time_bucket(at(2024, 5, 1, 12)) == "2024-05");
  BOOST_TEST(evstore::time_bucket(at(2024, 12, 31, 23, 59, 59, 999)) == "2024-12");
  BOOST_TEST(evstore::time_bucket(at(2025, 1, 1)) == "2025-01");
  BOOST_TEST(evstore::time_bucket(evstore::parse_iso8601("2024-06-01T01:00:00.000+02:00")) ==
             "2024-05");
  const auto month = evstore::parse_time_bucket("2023-11");
  BOOST_TEST(static_cast<int>(month.year()) == 2023);
  BOOST_TEST(static_cast<unsigned>(month.month()) == 11u);
  BOOST_CHECK_THROW(evstore::parse_time_bucket("2023-13"), boost::system::system_error);
  BOOST_CHECK_THROW(evstore::parse_time_bucket("2023-1"), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(months_iterate_across_years) {
  std::vector<std::string> buckets;
  for (auto m = evstore::parse_time_bucket("2023-11"); m <= evstore::parse_time_bucket("2024-02");
       m += chr::months{1})
    buckets.push_back(evstore::time_bucket(m));
  BOOST_TEST(buckets == (std::vector<std::string>{"2023-11", "2023-12", "2024-01", "2024-02"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
