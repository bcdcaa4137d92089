// The four worked S3 examples of the AWS documentation (header-based authentication), signed in
// S3 mode. Their credentials are published examples.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include "evstore/aws/sigv4.hpp"

BOOST_AUTO_TEST_SUITE(sigv4_s3_examples)

namespace aws = evstore::aws;
namespace http = evstore::http;

namespace {

const aws::credentials example_creds{"AKIAIOSFODNN7EXAMPLE",
                                     "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", std::nullopt};

std::chrono::system_clock::time_point example_time() {
  using namespace std::chrono;
  return sys_days{year{2013} / May / 24};
}

struct signed_parts {
  std::string signed_headers;
  std::string signature;
};

signed_parts sign_example(http::request req) {
  aws::sigv4_signer signer("us-east-1", "s3", {.s3 = true});
  signer.sign(req, "examplebucket.s3.amazonaws.com", example_creds, example_time());
  const std::string authorization(http::find_header(req.headers, "authorization"));
  const std::string credential =
      "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ";
  BOOST_TEST_REQUIRE(authorization.starts_with(credential), authorization);
  const std::size_t headers_at = authorization.find("SignedHeaders=");
  const std::size_t signature_at = authorization.find(", Signature=");
  BOOST_TEST_REQUIRE((headers_at != std::string::npos && signature_at != std::string::npos));
  return {authorization.substr(headers_at + 14, signature_at - headers_at - 14),
          authorization.substr(signature_at + 12)};
}

}  // namespace

BOOST_AUTO_TEST_CASE(get_object_with_range) {
  const signed_parts parts = sign_example({"GET", "/test.txt", {{"Range", "bytes=0-9"}}, ""});
  BOOST_TEST(parts.signed_headers == "host;range;x-amz-content-sha256;x-amz-date");
  BOOST_TEST(parts.signature == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

BOOST_AUTO_TEST_CASE(put_object_with_encoded_key) {
  const signed_parts parts = sign_example(
      {"PUT",
       "/test%24file.text",
       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
       "Welcome to Amazon S3."});
  BOOST_TEST(parts.signed_headers ==
             "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  BOOST_TEST(parts.signature == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

BOOST_AUTO_TEST_CASE(get_bucket_lifecycle) {
  const signed_parts parts = sign_example({"GET", "/?lifecycle", {}, ""});
  BOOST_TEST(parts.signed_headers == "host;x-amz-content-sha256;x-amz-date");
  BOOST_TEST(parts.signature == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

BOOST_AUTO_TEST_CASE(list_objects) {
  const signed_parts parts = sign_example({"GET", "/?max-keys=2&prefix=J", {}, ""});
  BOOST_TEST(parts.signed_headers == "host;x-amz-content-sha256;x-amz-date");
  BOOST_TEST(parts.signature == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

BOOST_AUTO_TEST_SUITE_END()
