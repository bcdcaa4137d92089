#include "s3/part_plan.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/error.hpp"
#include "evstore/s3/model.hpp"

BOOST_AUTO_TEST_SUITE(part_plan)

using namespace evstore;

namespace {

bool is_invalid_argument(const boost::system::system_error& e) {
  return e.code() == s3::make_error_code(s3::errc::invalid_argument);
}

constexpr std::uint64_t mib = 1024 * 1024;

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_part_plan)

BOOST_AUTO_TEST_CASE(configured_part_size_is_kept_when_it_fits) {
  BOOST_TEST(s3::choose_part_size(12 * mib, 5 * mib) == 5 * mib);
  BOOST_TEST(s3::choose_part_size(0, 8 * mib) == 8 * mib);
  BOOST_TEST(s3::choose_part_size(10000 * 5 * mib, 5 * mib) == 5 * mib);
}

BOOST_AUTO_TEST_CASE(part_size_grows_to_stay_within_10000_parts) {
  std::uint64_t size = 10000 * 5 * mib + 1;
  std::uint64_t chosen = s3::choose_part_size(size, 5 * mib);
  BOOST_TEST(chosen == 5 * mib + 1);
  BOOST_TEST((size + chosen - 1) / chosen <= s3::max_part_count);
}

BOOST_AUTO_TEST_CASE(out_of_range_part_sizes_and_objects_are_rejected) {
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(1, 5 * mib - 1), boost::system::system_error,
                        is_invalid_argument);
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(1, s3::max_part_size + 1), boost::system::system_error,
                        is_invalid_argument);
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(s3::max_part_count * s3::max_part_size + 1, 5 * mib),
                        boost::system::system_error, is_invalid_argument);
  BOOST_CHECK_EXCEPTION(s3::split_into_parts("x", 0), boost::system::system_error,
                        is_invalid_argument);
}

BOOST_AUTO_TEST_CASE(split_covers_the_body_in_order) {
  std::string body;
  for (int i = 0; i < 26; ++i) body += static_cast<char>('a' + i);
  auto parts = s3::split_into_parts(body, 10);
  BOOST_REQUIRE_EQUAL(parts.size(), 3u);
  BOOST_TEST(parts[0] == "abcdefghij");
  BOOST_TEST(parts[1] == "klmnopqrst");
  BOOST_TEST(parts[2] == "uvwxyz");
  BOOST_TEST(s3::split_into_parts(body, 13).size() == 2u);
  BOOST_TEST(s3::split_into_parts(body, 26).size() == 1u);
  auto empty = s3::split_into_parts("", 10);
  BOOST_REQUIRE_EQUAL(empty.size(), 1u);
  BOOST_TEST(empty[0].empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
