// Objects S3 cannot store are refused before any request: the size is checked, never
// allocated (S3 stores at most 5 TiB an object, however it is uploaded).

#include <boost/test/unit_test.hpp>

#include <string>

#include "evstore/s3/error.hpp"
#include "evstore/s3/model.hpp"
#include "s3/part_plan.hpp"

BOOST_AUTO_TEST_SUITE(bad_input)

using namespace evstore;

namespace {

constexpr std::uint64_t mib = 1024 * 1024;
constexpr std::uint64_t tib = 1024 * 1024 * mib;

bool names_the_limit(const boost::system::system_error& e) {
  return e.code() == s3::make_error_code(s3::errc::invalid_argument) &&
         std::string(e.what()).find("larger than 5 TiB") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_bad_input)

BOOST_AUTO_TEST_CASE(an_object_over_5_tib_is_refused_by_size) {
  BOOST_TEST(s3::max_object_size == 5 * tib);
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(5 * tib + 1, 8 * mib), boost::system::system_error,
                        names_the_limit);
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(50 * tib, s3::max_part_size),
                        boost::system::system_error, names_the_limit);
  BOOST_CHECK_EXCEPTION(s3::choose_part_size(~std::uint64_t{0}, 8 * mib),
                        boost::system::system_error, names_the_limit);
}

BOOST_AUTO_TEST_CASE(an_object_of_exactly_5_tib_fits_in_10000_parts) {
  const std::uint64_t part = s3::choose_part_size(5 * tib, 8 * mib);
  BOOST_TEST(part <= s3::max_part_size);
  BOOST_TEST((5 * tib + part - 1) / part <= s3::max_part_count);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
