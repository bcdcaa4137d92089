// The S3 client against @20minutes/s3rver, which verifies SigV4 signatures (access key and
// secret "S3RVER"). It signs bucket-level paths without a trailing slash, as the client sends
// them. It has no AbortMultipartUpload, cannot page listings, and escapes listed XML special
// characters twice, so those are left to the fauxqs tests.

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/client.hpp"
#include "evstore/s3/error.hpp"
#include "s3_harness.hpp"
#include "support/servers.hpp"

BOOST_AUTO_TEST_SUITE(s3rver)

using namespace evstore;
using s3::test::bucket_fixture;
using s3::test::run;

namespace {

struct s3rver_bucket : bucket_fixture {
  s3rver_bucket() : bucket_fixture(evstore::test::s3rver_url(), "s3rver") {}
};

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_s3rver)

BOOST_FIXTURE_TEST_CASE(signed_bucket_and_object_operations_are_accepted, s3rver_bucket) {
  BOOST_TEST(run(io, s3.head_bucket(bucket)));
  s3::put_result put = run(io, s3.put_object(bucket, "doc.txt", "hello, world",
                                             {.content_type = "text/plain", .acl = "private"}));
  BOOST_TEST(put.etag == "\"e4d7f1b4ed2e42d15898f4b27b019da4\"");
  std::optional<s3::object_info> info = run(io, s3.head_object(bucket, "doc.txt"));
  BOOST_REQUIRE(info);
  BOOST_TEST(info->size == 12u);
  BOOST_TEST(info->content_type == "text/plain");
  BOOST_TEST(run(io, s3.get_object(bucket, "doc.txt", 100)).body == "hello, world");
  BOOST_TEST(!run(io, s3.head_object(bucket, "missing")));

  s3::list_page page = run(io, s3.list_objects_v2(bucket, {}));
  BOOST_REQUIRE_EQUAL(page.objects.size(), 1u);
  BOOST_TEST(page.objects[0].key == "doc.txt");

  run(io, s3.delete_object(bucket, "doc.txt"));
  BOOST_TEST(!run(io, s3.head_object(bucket, "doc.txt")));
}

BOOST_FIXTURE_TEST_CASE(signed_keys_with_odd_characters_round_trip, s3rver_bucket) {
  // No "../": s3rver stores objects as files and such a key leaves the bucket's folder.
  const std::vector<std::string> keys = {
      "a b+c%d#e?f",
      "caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC",
      "x=y;z,w:v@u$t!s*r'q(p)o",
      "dir/sub dir/file",
  };
  for (const std::string& key : keys) run(io, s3.put_object(bucket, key, "body of " + key));
  for (const std::string& key : keys) {
    BOOST_TEST_CONTEXT(key) {
      BOOST_TEST(run(io, s3.get_object(bucket, key, 1024)).body == "body of " + key);
    }
  }
  std::vector<std::string> listed;
  for (const s3::object_summary& summary : run(io, s3.list_all_objects(bucket, "")))
    listed.push_back(summary.key);
  BOOST_TEST(listed.size() == keys.size());
  BOOST_TEST(run(io, s3.delete_objects(bucket, keys)).empty());
  BOOST_TEST(run(io, s3.list_all_objects(bucket, "")).empty());
}

BOOST_FIXTURE_TEST_CASE(signed_multipart_upload_is_accepted, s3rver_bucket) {
  const std::string first(s3::min_part_size, 'a');
  s3::put_result put = run(io, s3.multipart_upload(bucket, "big", {first, "tail"}));
  BOOST_TEST(!put.etag.empty());
  BOOST_TEST(run(io, s3.get_object(bucket, "big", 6 * 1024 * 1024)).body == first + "tail");
}

BOOST_AUTO_TEST_CASE(a_wrong_secret_is_rejected_with_signature_does_not_match) {
  boost::asio::io_context io;
  s3::client s3(io.get_executor(), s3::test::local_config(evstore::test::s3rver_url()),
                s3::test::local_credentials(io, "not-the-secret"), s3::test::local_options());
  try {
    run(io, s3.head_object("evstore-any-bucket", "any-key"));
    BOOST_FAIL("a wrong secret was accepted");
  } catch (const s3::service_error& e) {
    BOOST_TEST(e.status() == 403u);
    // HEAD responses have no body: the code comes from the status.
    BOOST_TEST(e.s3_code() == "Forbidden");
  }
  try {
    run(io, s3.list_objects_v2("evstore-any-bucket", {}));
    BOOST_FAIL("a wrong secret was accepted");
  } catch (const s3::service_error& e) {
    BOOST_TEST(e.status() == 403u);
    BOOST_TEST(e.s3_code() == "SignatureDoesNotMatch");
    BOOST_TEST(!e.retryable());
    BOOST_TEST(std::string(e.what()).find("not-the-secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
