#include <boost/test/unit_test.hpp>

#include <set>

#include "evstore/store/uuid.hpp"

BOOST_AUTO_TEST_SUITE(uuid)

BOOST_AUTO_TEST_CASE(uuids_are_version_4_and_distinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = evstore::make_uuid_v4();
    BOOST_TEST_REQUIRE(id.size() == 36u);
    BOOST_TEST(id[8] == '-');
    BOOST_TEST(id[13] == '-');
    BOOST_TEST(id[18] == '-');
    BOOST_TEST(id[23] == '-');
    BOOST_TEST(id[14] == '4');
    BOOST_TEST((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));
    BOOST_TEST(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
    seen.insert(id);
  }
  BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(uuids_drawn_together_are_version_4_and_distinct) {
  BOOST_TEST(evstore::make_uuids_v4(0).empty());
  const std::vector<std::string> ids = evstore::make_uuids_v4(1000);
  BOOST_TEST_REQUIRE(ids.size() == 1000u);
  for (const std::string& id : ids) {
    BOOST_TEST_REQUIRE(id.size() == 36u);
    BOOST_TEST(id[14] == '4');
    BOOST_TEST((id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b'));
    BOOST_TEST(id.find_first_not_of("0123456789abcdef-") == std::string::npos);
  }
  BOOST_TEST(std::set<std::string>(ids.begin(), ids.end()).size() == 1000u);
}

BOOST_AUTO_TEST_SUITE_END()
