#include "s3/request_builder.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/error.hpp"
#include "s3/content_md5.hpp"
#include "s3/key_encoding.hpp"
#include "s3/xml_reader.hpp"

BOOST_AUTO_TEST_SUITE(request_builder)

using namespace evstore;
using s3::errc;

namespace {

bool is_invalid_argument(const boost::system::system_error& e) {
  return e.code() == s3::make_error_code(errc::invalid_argument);
}

std::string header(const http::request& req, std::string_view name) {
  return std::string(http::find_header(req.headers, name));
}

const s3::request_builder path_style{"my-bucket", true};
const s3::request_builder virtual_hosted{"my-bucket", false};

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_request_builder)

BOOST_AUTO_TEST_CASE(content_md5_matches_rfc_1321_vectors) {
  // MD5("") = d41d8cd9..., MD5("abc") = 90015098... (RFC 1321 appendix A.5), in base64.
  BOOST_TEST(s3::content_md5("") == "1B2M2Y8AsgTpgAmY7PhCfg==");
  BOOST_TEST(s3::content_md5("abc") == "kAFQmDzST7DWlj99KOF/cg==");
}

BOOST_AUTO_TEST_CASE(keys_are_encoded_once_keeping_only_unreserved_bytes_and_slashes) {
  BOOST_TEST(s3::encode_key("plain/key-1_2.3~") == "plain/key-1_2.3~");
  BOOST_TEST(s3::encode_key("a b+c%d#e?f") == "a%20b%2Bc%25d%23e%3Ff");
  BOOST_TEST(s3::encode_key("../up") == "../up");
  BOOST_TEST(s3::encode_key("caf\xC3\xA9 \xE6\x97\xA5") == "caf%C3%A9%20%E6%97%A5");
  BOOST_TEST(s3::encode_key("x&y=z;!*'()") == "x%26y%3Dz%3B%21%2A%27%28%29");
  BOOST_TEST(s3::encode_query_value("a/b c+") == "a%2Fb%20c%2B");
}

BOOST_AUTO_TEST_CASE(listed_values_decode_escapes_and_plus) {
  BOOST_TEST(s3::decode_listed_value("dir/a+b%2Bc%25d%C3%A9") == "dir/a b+c%d\xC3\xA9");
  for (std::string bad : {"%", "%2", "%zz", "a%G0"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_CHECK_EXCEPTION(s3::decode_listed_value(bad), boost::system::system_error,
                            [](const boost::system::system_error& e) {
                              return e.code() == s3::make_error_code(errc::unexpected_response);
                            });
    }
  }
}

BOOST_AUTO_TEST_CASE(bucket_targets_have_no_trailing_slash) {
  BOOST_TEST(path_style.head_bucket().method == "HEAD");
  BOOST_TEST(path_style.head_bucket().target == "/my-bucket");
  BOOST_TEST(path_style.delete_bucket().method == "DELETE");
  BOOST_TEST(path_style.delete_bucket().target == "/my-bucket");
  BOOST_TEST(virtual_hosted.head_bucket().target == "/");
  BOOST_TEST(path_style.list_objects_v2({}).target == "/my-bucket?list-type=2&encoding-type=url");
  BOOST_TEST(virtual_hosted.list_objects_v2({}).target == "/?list-type=2&encoding-type=url");
}

BOOST_AUTO_TEST_CASE(object_targets_encode_the_key) {
  const std::string key = "dir/a b+c%d#e?f";
  BOOST_TEST(path_style.get_object(key).target == "/my-bucket/dir/a%20b%2Bc%25d%23e%3Ff");
  BOOST_TEST(virtual_hosted.get_object(key).target == "/dir/a%20b%2Bc%25d%23e%3Ff");
  BOOST_TEST(path_style.head_object("/lead").target == "/my-bucket//lead");
  BOOST_TEST(path_style.head_object(key).method == "HEAD");
  BOOST_TEST(path_style.delete_object(key).method == "DELETE");
  BOOST_TEST(path_style.delete_object("k").target == "/my-bucket/k");
}

BOOST_AUTO_TEST_CASE(create_bucket_names_the_region_outside_us_east_1) {
  http::request us = path_style.create_bucket("us-east-1");
  BOOST_TEST(us.method == "PUT");
  BOOST_TEST(us.target == "/my-bucket");
  BOOST_TEST(us.body.empty());
  http::request eu = path_style.create_bucket("eu-west-1");
  s3::xml::element config = s3::xml::parse(eu.body);
  BOOST_TEST(config.name == "CreateBucketConfiguration");
  BOOST_TEST(s3::xml::required_text(config, "LocationConstraint") == "eu-west-1");
  BOOST_TEST(header(eu, "Content-Type") == "application/xml");
}

BOOST_AUTO_TEST_CASE(put_object_carries_content_type_acl_and_body) {
  http::request req = path_style.put_object(
      "k", "payload", {.content_type = "text/plain", .acl = "bucket-owner-full-control"});
  BOOST_TEST(req.method == "PUT");
  BOOST_TEST(req.target == "/my-bucket/k");
  BOOST_TEST(req.body == "payload");
  BOOST_TEST(header(req, "Content-Type") == "text/plain");
  BOOST_TEST(header(req, "x-amz-acl") == "bucket-owner-full-control");
  http::request plain = path_style.put_object("k", "", {});
  BOOST_TEST(header(plain, "Content-Type") == "application/octet-stream");
  BOOST_TEST(header(plain, "x-amz-acl") == "");
}

BOOST_AUTO_TEST_CASE(bounded_get_asks_for_one_byte_more_than_the_limit) {
  http::request req = path_style.get_object("k", 1000);
  BOOST_TEST(req.method == "GET");
  BOOST_TEST(header(req, "Range") == "bytes=0-1000");
  BOOST_TEST(header(path_style.get_object("k"), "Range") == "");
}

BOOST_AUTO_TEST_CASE(list_objects_v2_encodes_its_parameters) {
  http::request req = path_style.list_objects_v2({.prefix = "dir/a b",
                                                  .continuation_token = "t+k/=",
                                                  .start_after = "dir/\xC3\xA9",
                                                  .max_keys = 2});
  BOOST_TEST(req.method == "GET");
  BOOST_TEST(req.target ==
             "/my-bucket?list-type=2&encoding-type=url&continuation-token=t%2Bk%2F%3D"
             "&max-keys=2&prefix=dir%2Fa%20b&start-after=dir%2F%C3%A9");
}

BOOST_AUTO_TEST_CASE(delete_objects_sends_quiet_xml_with_content_md5) {
  const std::vector<std::string> keys = {"a", "x&y<z>\"'", "caf\xC3\xA9", "line\r\nend\t"};
  http::request req = path_style.delete_objects(keys);
  BOOST_TEST(req.method == "POST");
  BOOST_TEST(req.target == "/my-bucket?delete");
  BOOST_TEST(header(req, "Content-MD5") == s3::content_md5(req.body));
  BOOST_TEST(header(req, "Content-MD5").size() == 24u);
  s3::xml::element root = s3::xml::parse(req.body);
  BOOST_TEST(root.name == "Delete");
  BOOST_TEST(s3::xml::required_text(root, "Quiet") == "true");
  std::vector<std::string> parsed;
  for (const s3::xml::element* object : root.all("Object"))
    parsed.push_back(s3::xml::required_text(*object, "Key"));
  BOOST_TEST(parsed == keys, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(delete_objects_rejects_what_s3_cannot_take) {
  std::vector<std::string> none;
  BOOST_CHECK_EXCEPTION(path_style.delete_objects(none), boost::system::system_error,
                        is_invalid_argument);
  std::vector<std::string> too_many(s3::max_keys_per_delete + 1, "k");
  BOOST_CHECK_EXCEPTION(path_style.delete_objects(too_many), boost::system::system_error,
                        is_invalid_argument);
  std::vector<std::string> control = {std::string("bell\x07")};
  BOOST_CHECK_EXCEPTION(path_style.delete_objects(control), boost::system::system_error,
                        is_invalid_argument);
  std::vector<std::string> empty_key = {""};
  BOOST_CHECK_EXCEPTION(path_style.delete_objects(empty_key), boost::system::system_error,
                        is_invalid_argument);
  std::vector<std::string> most(s3::max_keys_per_delete, "k");
  BOOST_CHECK_NO_THROW(path_style.delete_objects(most));
}

BOOST_AUTO_TEST_CASE(multipart_requests) {
  http::request create = path_style.create_multipart_upload("big file", {.acl = "private"});
  BOOST_TEST(create.method == "POST");
  BOOST_TEST(create.target == "/my-bucket/big%20file?uploads");
  BOOST_TEST(header(create, "x-amz-acl") == "private");
  BOOST_TEST(header(create, "Content-Type") == "application/octet-stream");

  http::request part = path_style.upload_part("big file", "id+/=", 7, "data");
  BOOST_TEST(part.method == "PUT");
  BOOST_TEST(part.target == "/my-bucket/big%20file?partNumber=7&uploadId=id%2B%2F%3D");
  BOOST_TEST(part.body == "data");

  const std::vector<s3::completed_part> parts = {{1, "\"e1\""}, {2, "\"e2\""}};
  http::request complete = virtual_hosted.complete_multipart_upload("k", "id", parts);
  BOOST_TEST(complete.method == "POST");
  BOOST_TEST(complete.target == "/k?uploadId=id");
  s3::xml::element root = s3::xml::parse(complete.body);
  BOOST_TEST(root.name == "CompleteMultipartUpload");
  std::vector<const s3::xml::element*> listed = root.all("Part");
  BOOST_REQUIRE_EQUAL(listed.size(), 2u);
  BOOST_TEST(s3::xml::required_text(*listed[1], "PartNumber") == "2");
  BOOST_TEST(s3::xml::required_text(*listed[1], "ETag") == "\"e2\"");

  http::request abort = path_style.abort_multipart_upload("k", "id");
  BOOST_TEST(abort.method == "DELETE");
  BOOST_TEST(abort.target == "/my-bucket/k?uploadId=id");
}

BOOST_AUTO_TEST_CASE(multipart_arguments_are_checked) {
  BOOST_CHECK_EXCEPTION(path_style.upload_part("k", "id", 0, ""), boost::system::system_error,
                        is_invalid_argument);
  BOOST_CHECK_EXCEPTION(path_style.upload_part("k", "id", 10001, ""), boost::system::system_error,
                        is_invalid_argument);
  BOOST_CHECK_EXCEPTION(path_style.upload_part("k", "", 1, ""), boost::system::system_error,
                        is_invalid_argument);
  const std::vector<s3::completed_part> unordered = {{2, "a"}, {1, "b"}};
  BOOST_CHECK_EXCEPTION(path_style.complete_multipart_upload("k", "id", unordered),
                        boost::system::system_error, is_invalid_argument);
  BOOST_CHECK_EXCEPTION(path_style.complete_multipart_upload("k", "id", {}),
                        boost::system::system_error, is_invalid_argument);
}

BOOST_AUTO_TEST_CASE(bad_bucket_names_and_empty_keys_are_rejected) {
  for (std::string bucket : {"", "a/b", "a b", "a?b", "caf\xC3\xA9"}) {
    BOOST_TEST_CONTEXT(bucket) {
      BOOST_CHECK_EXCEPTION(s3::request_builder(bucket, true), boost::system::system_error,
                            is_invalid_argument);
    }
  }
  BOOST_CHECK_EXCEPTION(path_style.get_object(""), boost::system::system_error,
                        is_invalid_argument);
  BOOST_CHECK_EXCEPTION(path_style.put_object("", "x", {}), boost::system::system_error,
                        is_invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
