// Object keys made from event ids: whatever bytes an id holds ("../", "%2F", '?', '#', spaces,
// unicode), its offloaded payload lands in exactly the object <prefix><id>.<digest>.json and
// reads back as its own, never another event's (against fauxqs). And offloaded objects are
// private by default: the ACL header each upload sends is checked on a scripted S3 endpoint.

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/http/message.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "store/payload_object.hpp"
#include "store_fixture.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(bad_input_s3_keys)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

/// Ids that a key scheme could confuse with a path, a query, a fragment or an escape.
const std::vector<std::string> tricky_ids = {
    "plain",
    "../plain",
    "a/../plain",
    "./plain",
    "..",
    "../../outside-prefix",
    "a%2Fb",
    "a/b",
    "a%252Fb",
    "q?x=1&acl",
    "frag#ment",
    "space and+plus",
    "caf\xc3\xa9-\xe2\x82\xac-\xf0\x9f\x98\x80",
    "back\\slash",
    "semi;colon=eq",
    "%",
    "%zz",
};

std::string payload_for(const std::string& id) {
  // Over the threshold: every payload is offloaded. The id inside tells them apart.
  std::string escaped;
  for (const char c : id) {
    if (c == '"' || c == '\\') escaped += '\\';
    escaped += c;
  }
  return "{\"id\":\"" + escaped + "\",\"pad\":\"" + std::string(3000, 'p') + "\"}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_bad_input_s3_keys)

BOOST_AUTO_TEST_CASE(each_id_maps_to_its_own_object_and_no_other) {
  repo_options tweaks;
  tweaks.offload_threshold_bytes = 1000;
  store_fixture f("s3keys", tweaks);
  f.run(f.store.init());

  std::vector<event> events;
  for (const std::string& id : tricky_ids) {
    event e = make_event("keys", "k-1", "stored", payload_for(id));
    e.id = id;
    events.push_back(std::move(e));
  }
  const std::vector<event> stored = f.run(f.store.append(events));

  std::map<std::string, std::string> key_of;
  for (const event& e : stored)
    key_of[e.id] = payload_object_key(f.options.s3_key_prefix, e.id, to_json_line(e));
  std::set<std::string> expected_keys;
  for (const std::string& id : tricky_ids) expected_keys.insert(key_of.at(id));
  std::set<std::string> stored_keys;
  for (const s3::object_summary& object :
       f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "")))
    stored_keys.insert(object.key);
  BOOST_TEST(stored_keys == expected_keys, boost::test_tools::per_element());

  for (const std::string& id : tricky_ids) {
    BOOST_TEST_CONTEXT("id " << id) {
      const std::optional<event> read = f.run(f.store.get_event_by_id(id));
      BOOST_TEST_REQUIRE(read.has_value());
      BOOST_TEST(read->id == id);
      BOOST_TEST(read->payload_json == payload_for(id));
      const s3::object object =
          f.run(f.s3.get_object(f.options.s3_bucket_name, key_of.at(id), 1 << 20));
      BOOST_TEST(object.body.find(payload_for(id)) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(offloaded_objects_are_private_by_default) {
  std::mutex mutex;
  std::vector<http::request> uploads;
  test::local_http_server s3_endpoint([&](const http::request& req) {
    const std::lock_guard lock(mutex);
    if (req.method == "PUT") uploads.push_back(req);
    http::response res{200, {{"ETag", "\"0123456789abcdef0123456789abcdef\""}}, {}};
    return res;
  });
  // The fixture names the table and drops it afterwards; this repo shares its options but
  // sends S3 requests to the scripted endpoint.
  store_fixture f("acl");
  aws::config config = test::local_config();
  config.service_endpoint_urls["s3"] = s3_endpoint.url();
  repo_options options = f.options;
  options.skip_bucket_creation = true;
  options.offload_threshold_bytes = 1000;
  repo store(f.io.get_executor(), config, options);
  f.run(store.init());

  std::vector<event> events;
  for (const std::string id : {"q?x=1&acl", "../plain"}) {
    event e = make_event("keys", "acl-1", "stored", payload_for(id));
    e.id = id;
    events.push_back(std::move(e));
  }
  f.run(store.append(events));

  const std::lock_guard lock(mutex);
  BOOST_TEST_REQUIRE(uploads.size() == 2u);
  for (const http::request& upload : uploads) {
    BOOST_TEST_CONTEXT(upload.target) {
      BOOST_TEST(http::find_header(upload.headers, "x-amz-acl") == "private");
      // The key is one path, encoded once: no raw query, fragment or decoded escape.
      BOOST_TEST(upload.target.starts_with("/" + f.options.s3_bucket_name + "/events/"));
      BOOST_TEST(upload.target.find_first_of("?#") == std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
