#include <boost/test/unit_test.hpp>

#include "store/month_slices.hpp"

BOOST_AUTO_TEST_SUITE(month_slices)

namespace chr = std::chrono;

BOOST_AUTO_TEST_SUITE(month_slices_of_a_month)

BOOST_AUTO_TEST_CASE(one_slice_is_the_whole_month_unbounded) {
  const auto slices = evstore::month_slices(chr::year{2024} / chr::February, 1);
  BOOST_TEST_REQUIRE(slices.size() == 1u);
  BOOST_TEST(!slices[0].from.has_value());
  BOOST_TEST(!slices[0].before.has_value());
  BOOST_TEST(evstore::month_slices(chr::year{2024} / chr::February, 0).size() == 1u);
}

BOOST_AUTO_TEST_CASE(each_slice_starts_where_the_one_before_ends) {
  // February 2024 has 29 days: 4 slices of 7 days 6 hours.
  const auto slices = evstore::month_slices(chr::year{2024} / chr::February, 4);
  BOOST_TEST_REQUIRE(slices.size() == 4u);
  BOOST_TEST(!slices[0].from.has_value());
  BOOST_TEST(*slices[0].before == "2024-02-08T06:00:00.000Z");
  BOOST_TEST(*slices[1].from == "2024-02-08T06:00:00.000Z");
  BOOST_TEST(*slices[1].before == "2024-02-15T12:00:00.000Z");
  BOOST_TEST(*slices[2].from == "2024-02-15T12:00:00.000Z");
  BOOST_TEST(*slices[2].before == "2024-02-22T18:00:00.000Z");
  BOOST_TEST(*slices[3].from == "2024-02-22T18:00:00.000Z");
  BOOST_TEST(!slices[3].before.has_value());
}

BOOST_AUTO_TEST_CASE(texts_of_other_precisions_fall_in_exactly_one_slice) {
  // Other writers store `created` without milliseconds or with microseconds: each such text is
  // in exactly one slice's [from, before).
  const auto slices = evstore::month_slices(chr::year{2024} / chr::February, 4);
  const auto in = [](const evstore::created_slice& slice, const std::string& created) {
    return (!slice.from || *slice.from <= created) && (!slice.before || created < *slice.before);
  };
  for (const std::string created :
       {"2024-02-08T05:59:59Z", "2024-02-08T05:59:59.999999Z", "2024-02-08T06:00:00Z",
        "2024-02-08T06:00:00.000001Z", "2024-02-08T06:00:00.000Z", "2024-02-01T00:00:00Z",
        "2024-02-29T23:59:59.9999Z"}) {
    int holders = 0;
    for (const evstore::created_slice& slice : slices) holders += in(slice, created) ? 1 : 0;
    BOOST_TEST(holders == 1, created);
  }
}

BOOST_AUTO_TEST_CASE(uneven_lengths_round_down_to_the_millisecond) {
  // 31 days = 2,678,400,000 ms; a third is 892,800,000 ms = 10 days 8 hours.
  const auto slices = evstore::month_slices(chr::year{2021} / chr::March, 3);
  BOOST_TEST_REQUIRE(slices.size() == 3u);
  BOOST_TEST(*slices[0].before == "2021-03-11T08:00:00.000Z");
  BOOST_TEST(*slices[1].from == "2021-03-11T08:00:00.000Z");
  BOOST_TEST(*slices[1].before == "2021-03-21T16:00:00.000Z");
  BOOST_TEST(*slices[2].from == "2021-03-21T16:00:00.000Z");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
