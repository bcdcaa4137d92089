// The S3 client against fauxqs (in-memory S3, path-style, no authentication).

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/client.hpp"
#include "evstore/s3/error.hpp"
#include "s3_harness.hpp"
#include "support/servers.hpp"

BOOST_AUTO_TEST_SUITE(fauxqs)

using namespace evstore;
using s3::test::bucket_fixture;
using s3::test::run;

namespace {

constexpr std::size_t mib = 1024 * 1024;

struct fauxqs_bucket : bucket_fixture {
  fauxqs_bucket() : bucket_fixture(evstore::test::s3_url(), "s3") {}
};

std::string patterned(std::size_t size, unsigned seed) {
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    body[i] = static_cast<char>((i * 131 + seed * 7 + i / 4096) & 0xFF);
  return body;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_fauxqs)

BOOST_AUTO_TEST_CASE(bucket_lifecycle) {
  boost::asio::io_context io;
  // eu-west-1 sends a CreateBucketConfiguration body; us-east-1 none.
  for (std::string region : {"us-east-1", "eu-west-1"}) {
    BOOST_TEST_CONTEXT(region) {
      s3::client s3(io.get_executor(), s3::test::local_config(evstore::test::s3_url(), region),
                    s3::test::local_credentials(io), s3::test::local_options());
      std::string bucket = s3::test::unique_bucket_name("s3-bucket");
      BOOST_TEST(!run(io, s3.head_bucket(bucket)));
      BOOST_TEST(run(io, s3.create_bucket(bucket)));
      BOOST_TEST(run(io, s3.head_bucket(bucket)));
      run(io, s3.delete_bucket(bucket));
      BOOST_TEST(!run(io, s3.head_bucket(bucket)));
    }
  }
}

BOOST_FIXTURE_TEST_CASE(object_operations, fauxqs_bucket) {
  s3::put_result put =
      run(io, s3.put_object_single(bucket, "doc.txt", "hello, world",
                                   {.content_type = "text/plain", .acl = "private"}));
  BOOST_TEST(put.etag == "\"e4d7f1b4ed2e42d15898f4b27b019da4\"");  // MD5 of the body

  std::optional<s3::object_info> info = run(io, s3.head_object(bucket, "doc.txt"));
  BOOST_REQUIRE(info);
  BOOST_TEST(info->size == 12u);
  BOOST_TEST(info->content_type == "text/plain");
  BOOST_TEST(info->etag == put.etag);

  s3::object got = run(io, s3.get_object(bucket, "doc.txt", 12));
  BOOST_TEST(got.body == "hello, world");
  BOOST_TEST(got.info.size == 12u);
  BOOST_TEST(got.info.etag == put.etag);

  BOOST_CHECK_EXCEPTION(run(io, s3.get_object(bucket, "doc.txt", 11)), boost::system::system_error,
                        [](const boost::system::system_error& e) {
                          return e.code() == s3::make_error_code(s3::errc::object_too_large);
                        });

  run(io, s3.delete_object(bucket, "doc.txt"));
  BOOST_TEST(!run(io, s3.head_object(bucket, "doc.txt")));
  BOOST_CHECK_EXCEPTION(run(io, s3.get_object(bucket, "doc.txt", 100)), s3::service_error,
                        [](const s3::service_error& e) {
                          return e.s3_code() == "NoSuchKey" && e.status() == 404 && !e.retryable();
                        });
}

BOOST_FIXTURE_TEST_CASE(empty_object_round_trips, fauxqs_bucket) {
  // S3 refuses a range of an empty object (416); the client then reads it whole.
  run(io, s3.put_object(bucket, "empty", ""));
  s3::object got = run(io, s3.get_object(bucket, "empty", 10));
  BOOST_TEST(got.body.empty());
  BOOST_TEST(got.info.size == 0u);
}

BOOST_FIXTURE_TEST_CASE(keys_with_odd_characters_round_trip, fauxqs_bucket) {
  const std::vector<std::string> keys = {
      "a b+c%d#e?f",
      "../up",
      "dir/../x/./y",
      "caf\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80",
      "100%25%",
      "x&y=z;a,b:c@d$e!f*g'h(i)j[k]l{m}n|o^p`q\"r<s>t\\u",
      "trailing/",
      "//double//slash",
      "~tilde-dash_under.dot",
      " lead and trail ",
  };
  for (const std::string& key : keys) run(io, s3.put_object(bucket, key, "body of " + key));
  for (const std::string& key : keys) {
    BOOST_TEST_CONTEXT(key) {
      BOOST_TEST(run(io, s3.get_object(bucket, key, 1024)).body == "body of " + key);
      BOOST_TEST(run(io, s3.head_object(bucket, key)).has_value());
    }
  }
  std::vector<std::string> listed;
  for (const s3::object_summary& summary : run(io, s3.list_all_objects(bucket, "")))
    listed.push_back(summary.key);
  std::vector<std::string> expected = keys;
  std::sort(expected.begin(), expected.end());
  std::sort(listed.begin(), listed.end());
  BOOST_TEST(listed == expected, boost::test_tools::per_element());

  BOOST_TEST(run(io, s3.delete_objects(bucket, keys)).empty());
  BOOST_TEST(run(io, s3.list_all_objects(bucket, "")).empty());
}

BOOST_FIXTURE_TEST_CASE(list_objects_v2_pages_through_a_prefix, fauxqs_bucket) {
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    std::string key = "page/" + std::to_string(i);
    run(io, s3.put_object(bucket, key, std::to_string(i)));
    expected.push_back(key);
  }
  run(io, s3.put_object(bucket, "other/outside", "x"));

  s3::list_page first = run(
      io,
      s3.list_objects_v2(
          bucket, {.prefix = "page/", .continuation_token = {}, .start_after = {}, .max_keys = 2}));
  BOOST_TEST(first.truncated);
  BOOST_TEST(first.objects.size() == 2u);
  BOOST_TEST(!first.next_continuation_token.empty());

  std::vector<std::string> listed;
  for (const s3::object_summary& summary : run(io, s3.list_all_objects(bucket, "page/", 2)))
    listed.push_back(summary.key);
  BOOST_TEST(listed == expected, boost::test_tools::per_element());
  BOOST_TEST(run(io, s3.list_all_objects(bucket, "page/", 1000)).size() == 7u);
  BOOST_TEST(run(io, s3.list_all_objects(bucket, "nothing/")).empty());
}

BOOST_AUTO_TEST_CASE(multipart_upload_of_12_mib) {
  s3::client_options options = s3::test::local_options();
  options.multipart_threshold = 8 * mib;
  options.part_size = 5 * mib;
  options.max_concurrent_parts = 2;
  bucket_fixture f(evstore::test::s3_url(), "s3-mpu", options);
  const std::string body = patterned(12 * mib, 1);

  auto started = std::chrono::steady_clock::now();
  s3::put_result put = run(f.io, f.s3.put_object(f.bucket, "big", body));
  auto took = std::chrono::steady_clock::now() - started;
  BOOST_TEST_MESSAGE("12 MiB multipart upload (3 parts, 2 at once) took "
                     << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                     << " ms");
  BOOST_TEST(put.etag.ends_with("-3\""));  // three parts: 5 + 5 + 2 MiB

  s3::object got = run(f.io, f.s3.get_object(f.bucket, "big", 16 * mib));
  BOOST_TEST(got.body.size() == body.size());
  BOOST_TEST((got.body == body));
  BOOST_TEST(got.info.etag == put.etag);
}

BOOST_FIXTURE_TEST_CASE(parts_below_5_mib_fail_with_entity_too_small_and_are_aborted,
                        fauxqs_bucket) {
  const std::string small = patterned(mib, 2);
  std::string upload_id;
  try {
    run(io, s3.multipart_upload(bucket, "too-small", {small, small, small}));
    BOOST_FAIL("expected EntityTooSmall");
  } catch (const s3::multipart_upload_error& e) {
    BOOST_TEST(e.s3_code() == "EntityTooSmall");
    BOOST_TEST(e.code() == s3::make_error_code(s3::errc::service_error));
    BOOST_TEST(e.aborted());
    BOOST_TEST(std::string(e.what()).find("the upload was aborted") != std::string::npos);
    upload_id = e.upload_id();
  }
  BOOST_REQUIRE(!upload_id.empty());
  // The upload is gone: S3 no longer knows its id, and no object was made.
  BOOST_CHECK_EXCEPTION(run(io, s3.upload_part(bucket, "too-small", upload_id, 4, "x")),
                        s3::service_error,
                        [](const s3::service_error& e) { return e.s3_code() == "NoSuchUpload"; });
  BOOST_TEST(!run(io, s3.head_object(bucket, "too-small")));
}

BOOST_FIXTURE_TEST_CASE(multipart_steps_driven_by_the_caller, fauxqs_bucket) {
  const std::string first = patterned(5 * mib, 3);
  std::string upload_id = run(io, s3.create_multipart_upload(bucket, "steps", {}));
  BOOST_TEST(!upload_id.empty());
  std::vector<s3::completed_part> parts;
  parts.push_back(run(io, s3.upload_part(bucket, "steps", upload_id, 1, first)));
  parts.push_back(run(io, s3.upload_part(bucket, "steps", upload_id, 2, "tail")));
  BOOST_TEST(parts[1].part_number == 2u);
  s3::put_result put = run(io, s3.complete_multipart_upload(bucket, "steps", upload_id, parts));
  BOOST_TEST(put.etag.ends_with("-2\""));
  BOOST_TEST(run(io, s3.get_object(bucket, "steps", 6 * mib)).body == first + "tail");

  std::string abandoned = run(io, s3.create_multipart_upload(bucket, "abandoned", {}));
  run(io, s3.upload_part(bucket, "abandoned", abandoned, 1, "x"));
  run(io, s3.abort_multipart_upload(bucket, "abandoned", abandoned));
  BOOST_CHECK_EXCEPTION(run(io, s3.abort_multipart_upload(bucket, "abandoned", abandoned)),
                        s3::service_error,
                        [](const s3::service_error& e) { return e.s3_code() == "NoSuchUpload"; });
}

BOOST_AUTO_TEST_CASE(missing_bucket_is_a_typed_error) {
  boost::asio::io_context io;
  s3::client s3(io.get_executor(), s3::test::local_config(evstore::test::s3_url()),
                s3::test::local_credentials(io), s3::test::local_options());
  std::string bucket = s3::test::unique_bucket_name("s3-missing");
  BOOST_CHECK_EXCEPTION(run(io, s3.list_objects_v2(bucket, {})), s3::service_error,
                        [](const s3::service_error& e) { return e.s3_code() == "NoSuchBucket"; });
  BOOST_CHECK_EXCEPTION(run(io, s3.put_object(bucket, "k", "v")), s3::service_error,
                        [](const s3::service_error& e) { return e.s3_code() == "NoSuchBucket"; });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
