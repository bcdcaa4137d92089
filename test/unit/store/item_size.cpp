#include <boost/test/unit_test.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/time.hpp"
#include "store/item_codec.hpp"
#include "store/item_size.hpp"

BOOST_AUTO_TEST_SUITE(item_size)

namespace ddb = evstore::dynamodb;
using av = ddb::attribute_value;

BOOST_AUTO_TEST_SUITE(store_item_size)

BOOST_AUTO_TEST_CASE(strings_and_binaries_count_bytes) {
  BOOST_TEST(evstore::attribute_size(av::string("")) == 0u);
  BOOST_TEST(evstore::attribute_size(av::string("caf\xc3\xa9")) == 5u);
  BOOST_TEST(evstore::attribute_size(av::binary(std::string_view("abc"))) == 3u);
  BOOST_TEST(evstore::attribute_size(av::boolean(true)) == 1u);
  BOOST_TEST(evstore::attribute_size(av::null()) == 1u);
}

BOOST_AUTO_TEST_CASE(numbers_count_significant_digits) {
  BOOST_TEST(evstore::attribute_size(av::number(0)) == 1u);
  BOOST_TEST(evstore::attribute_size(av::number(7)) == 2u);
  BOOST_TEST(evstore::attribute_size(av::number(27)) == 2u);
  BOOST_TEST(evstore::attribute_size(av::number(101)) == 3u);
  BOOST_TEST(evstore::attribute_size(av::number(1000)) == 2u);  // trailing zeros trimmed
  BOOST_TEST(evstore::attribute_size(av::number("0.0012")) == 2u);
  BOOST_TEST(evstore::attribute_size(av::number("-12.34")) == 4u);
  BOOST_TEST(evstore::attribute_size(av::number("1.5e10")) == 2u);
}

BOOST_AUTO_TEST_CASE(maps_and_lists_have_overhead) {
  BOOST_TEST(evstore::attribute_size(av::map({})) == 3u);
  BOOST_TEST(evstore::attribute_size(av::list({})) == 3u);
  // 3 + (1 + "k" + "vv") for the map; 3 + (1 + 1) + (1 + 2) for the list.
  BOOST_TEST(evstore::attribute_size(av::map({{"k", av::string("vv")}})) == 7u);
  BOOST_TEST(evstore::attribute_size(av::list({av::boolean(false), av::number(42)})) == 8u);
  BOOST_TEST(evstore::attribute_size(av::string_set({"ab", "c"})) == 3u);
}

BOOST_AUTO_TEST_CASE(item_size_matches_published_examples) {
  // The example of the dyno-item-size README: {string: 'string', number: 27, buffer: 'buffer'}.
  BOOST_TEST(evstore::item_size({{"string", av::string("string")},
                                 {"number", av::number(27)},
                                 {"buffer", av::binary(std::string_view("buffer"))}}) == 32u);
  // The example of the ddb-calc README (137 bytes).
  BOOST_TEST(evstore::item_size({{"Id", av::number(101)},
                                 {"Title", av::string("Book 101 Title")},
                                 {"ISBN", av::string("111-1111111111")},
                                 {"Authors", av::list({av::string("Author1")})},
                                 {"Price", av::number(2)},
                                 {"Dimensions", av::string("8.5 x 11.0 x 0.5")},
                                 {"PageCount", av::number(500)},
                                 {"InPublication", av::boolean(true)},
                                 {"ProductCategory", av::string("Book")}}) == 137u);
}

BOOST_AUTO_TEST_CASE(event_item_size_grows_with_the_payload_byte_for_byte) {
  evstore::event e;
  e.id = "i";
  e.domain = "d";
  e.type = "t";
  e.created = evstore::timestamp{};
  e.sequence = 1;
  e.payload_json = "\"\"";
  // id 2+9, created 7+24, timeBucket 10+7, stream 6+3 ("d::"), domain 6+1, type 4+1,
  // payload 7+2, sequence 8+2.
  BOOST_TEST(evstore::item_size(evstore::to_item(e)) == 99u);
  e.payload_json = "\"" + std::string(1000, 'x') + "\"";
  BOOST_TEST(evstore::item_size(evstore::to_item(e)) == 1099u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
