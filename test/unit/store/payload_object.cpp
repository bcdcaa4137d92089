// The S3 key of an offloaded event: the id and a digest of the object, so two different
// objects of one id never share a key.

#include <boost/test/unit_test.hpp>

#include "store/payload_object.hpp"

BOOST_AUTO_TEST_SUITE(payload_object)

BOOST_AUTO_TEST_SUITE(store_payload_object)

BOOST_AUTO_TEST_CASE(a_key_names_the_id_and_the_objects_digest) {
  // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
  BOOST_TEST(evstore::payload_object_key("events/", "id-1", "abc") ==
             "events/id-1.ba7816bf8f01cfea.json");
  BOOST_TEST(evstore::payload_object_key("", "a/b", "abc") == "a/b.ba7816bf8f01cfea.json");
}

BOOST_AUTO_TEST_CASE(other_content_gets_another_key_of_the_same_length) {
  const std::string first = evstore::payload_object_key("p/", "same-id", R"({"payload":1})");
  const std::string second = evstore::payload_object_key("p/", "same-id", R"({"payload":2})");
  BOOST_TEST(first != second);
  BOOST_TEST(first == evstore::payload_object_key("p/", "same-id", R"({"payload":1})"));
  // check_sizes measures items with the key of an empty object.
  BOOST_TEST(first.size() == evstore::payload_object_key("p/", "same-id", {}).size());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
