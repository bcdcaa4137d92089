// The signer's rules beyond the published suite: path and query edge cases, header folding and
// unsigned headers, re-signing, the signing-key cache, payload hash options, bad input.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>
#include <string>

#include "aws/sigv4_canonical.hpp"
#include "evstore/aws/sigv4.hpp"

BOOST_AUTO_TEST_SUITE(sigv4_signer)

namespace aws = evstore::aws;
namespace http = evstore::http;

namespace {

const aws::credentials test_creds{"AKIDTEST", "test-secret-key", "", std::nullopt};
constexpr std::string_view empty_hash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::chrono::system_clock::time_point at(int day, int hour = 10) {
  using namespace std::chrono;
  return sys_days{year{2024} / March / day} + hours{hour};
}

std::string canonical(const http::request& req, bool s3) {
  aws::detail::canonical_request_builder builder;
  return std::string(builder.build(req, empty_hash, s3));
}

/// The second line of a canonical request: the canonical URI.
std::string canonical_uri(std::string target, bool s3) {
  const std::string creq = canonical({"GET", std::move(target), {{"Host", "h"}}, ""}, s3);
  const std::size_t start = creq.find('\n') + 1;
  return creq.substr(start, creq.find('\n', start) - start);
}

/// The third line of a canonical request: the canonical query.
std::string canonical_query(std::string target) {
  const std::string creq = canonical({"GET", std::move(target), {{"Host", "h"}}, ""}, false);
  const std::size_t start = creq.find('\n', creq.find('\n') + 1) + 1;
  return creq.substr(start, creq.find('\n', start) - start);
}

std::size_t count_headers(const http::request& req, std::string_view name) {
  return static_cast<std::size_t>(
      std::count_if(req.headers.begin(), req.headers.end(), [&](const http::header& h) {
        return std::equal(h.name.begin(), h.name.end(), name.begin(), name.end(),
                          [](char a, char b) { return std::tolower(a) == std::tolower(b); });
      }));
}

std::string authorization_of(aws::sigv4_signer& signer, http::request req,
                             std::chrono::system_clock::time_point now,
                             const aws::credentials& creds = test_creds) {
  signer.sign(req, "example.amazonaws.com", creds, now);
  return std::string(http::find_header(req.headers, "authorization"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(non_s3_path_is_normalised_and_encoded_again) {
  BOOST_TEST(canonical_uri("/a/./b/../c//d%20e/", false) == "/a/c/d%2520e/");
  BOOST_TEST(canonical_uri("/a/b/..", false) == "/a");
  BOOST_TEST(canonical_uri("/../..", false) == "/");
  BOOST_TEST(canonical_uri("/k$!*'()", false) == "/k%24%21%2A%27%28%29");
  BOOST_TEST(canonical_uri("/\xE2\x82\xAC", false) == "/%E2%82%AC");
}

BOOST_AUTO_TEST_CASE(s3_path_is_used_as_sent) {
  BOOST_TEST(canonical_uri("/a/./b/../c//d%20e/", true) == "/a/./b/../c//d%20e/");
  BOOST_TEST(canonical_uri("/bucket", true) == "/bucket");
}

BOOST_AUTO_TEST_CASE(query_is_decoded_encoded_again_and_sorted) {
  BOOST_TEST(canonical_query("/?b=2&a&a=1&&c=%41%zz%4&d=x+y%2b") ==
             "a=&a=1&b=2&c=A%25zz%254&d=x%2By%2B");
  BOOST_TEST(canonical_query("/?z=%E2%82%AC&y=\xE2\x82\xAC") == "y=%E2%82%AC&z=%E2%82%AC");
  // Names sort before values: "a" comes before "a-b" although "a-b=" < "a=" bytewise.
  BOOST_TEST(canonical_query("/?a-b=1&a=2") == "a=2&a-b=1");
  BOOST_TEST(canonical_query("/?x=1=2") == "x=1%3D2");
}

BOOST_AUTO_TEST_CASE(headers_are_lowercased_trimmed_folded_and_joined) {
  const http::request req{"POST",
                          "/",
                          {{"Host", "h"},
                           {"X-B", " \t two \t  words\t"},
                           {"x-a", "1"},
                           {"X-A", "  2 "},
                           {"x-c", ""},
                           {"User-Agent", "agent/1"},
                           {"Connection", "keep-alive"},
                           {"Proxy-Foo", "p"},
                           {"Authorization", "old"}},
                          ""};
  aws::detail::canonical_request_builder builder;
  const std::string creq(builder.build(req, empty_hash, false));
  BOOST_TEST(creq == std::string("POST\n/\n\nhost:h\nx-a:1,2\nx-b:two words\nx-c:\n\n"
                                 "host;x-a;x-b;x-c\n") +
                         std::string(empty_hash));
  BOOST_TEST(builder.signed_headers() == "host;x-a;x-b;x-c");
}

BOOST_AUTO_TEST_CASE(signing_adds_the_headers_once_and_signing_again_replaces_them) {
  aws::sigv4_signer signer("eu-west-1", "dynamodb");
  http::request req{"POST", "/", {{"Content-Type", "application/x-amz-json-1.0"}}, "{}"};
  const aws::credentials temporary{"AKIDTEST", "test-secret-key", "session-token", std::nullopt};
  signer.sign(req, "dynamodb.eu-west-1.amazonaws.com", temporary, at(1));
  BOOST_TEST(http::find_header(req.headers, "host") == "dynamodb.eu-west-1.amazonaws.com");
  BOOST_TEST(http::find_header(req.headers, "x-amz-date") == "20240301T100000Z");
  BOOST_TEST(http::find_header(req.headers, "x-amz-security-token") == "session-token");
  BOOST_TEST(count_headers(req, "x-amz-content-sha256") == 0u);
  BOOST_TEST(http::find_header(req.headers, "authorization")
                 .starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/20240301/eu-west-1/dynamodb/"
                              "aws4_request, SignedHeaders=content-type;host;x-amz-date;"
                              "x-amz-security-token, Signature="));

  signer.sign(req, "dynamodb.eu-west-1.amazonaws.com", test_creds, at(2));
  for (const char* name : {"host", "x-amz-date", "authorization"}) {
    BOOST_TEST(count_headers(req, name) == 1u, name);
  }
  BOOST_TEST(count_headers(req, "x-amz-security-token") == 0u);
  BOOST_TEST(http::find_header(req.headers, "x-amz-date") == "20240302T100000Z");

  aws::sigv4_signer fresh("eu-west-1", "dynamodb");
  http::request first_time{"POST", "/", {{"Content-Type", "application/x-amz-json-1.0"}}, "{}"};
  fresh.sign(first_time, "dynamodb.eu-west-1.amazonaws.com", test_creds, at(2));
  BOOST_TEST(http::find_header(req.headers, "authorization") ==
             http::find_header(first_time.headers, "authorization"));
}

BOOST_AUTO_TEST_CASE(cached_signing_key_follows_day_and_secret) {
  const http::request req{"GET", "/path?q=1", {}, ""};
  const aws::credentials other_secret{"AKIDTEST", "another-secret", "", std::nullopt};
  aws::sigv4_signer reused("us-east-1", "service");
  const std::string day1 = authorization_of(reused, req, at(1));
  const std::string day1_later = authorization_of(reused, req, at(1, 23));
  const std::string day2 = authorization_of(reused, req, at(2));
  const std::string day1_again = authorization_of(reused, req, at(1));
  const std::string day1_other_secret = authorization_of(reused, req, at(1), other_secret);

  const auto fresh = [&](std::chrono::system_clock::time_point now, const aws::credentials& creds) {
    aws::sigv4_signer signer("us-east-1", "service");
    return authorization_of(signer, req, now, creds);
  };
  BOOST_TEST(day1 == fresh(at(1), test_creds));
  BOOST_TEST(day1_later == fresh(at(1, 23), test_creds));
  BOOST_TEST(day2 == fresh(at(2), test_creds));
  BOOST_TEST(day1_again == day1);
  BOOST_TEST(day1_other_secret == fresh(at(1), other_secret));
  BOOST_TEST(day1_other_secret != day1);
}

BOOST_AUTO_TEST_CASE(s3_mode_signs_the_payload_hash_header) {
  aws::sigv4_signer signer("us-east-1", "s3", {.s3 = true});
  http::request req{"PUT", "/bucket/key", {}, "hello"};
  signer.sign(req, "s3.amazonaws.com", test_creds, at(1));
  BOOST_TEST(http::find_header(req.headers, "x-amz-content-sha256") ==
             "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
  BOOST_TEST(http::find_header(req.headers, "authorization").find("x-amz-content-sha256") !=
             std::string_view::npos);
}

BOOST_AUTO_TEST_CASE(unsigned_payload_option) {
  aws::sigv4_signer signer("us-east-1", "s3", {.s3 = true, .unsigned_payload = true});
  http::request req{"PUT", "/bucket/key", {}, "hello"};
  signer.sign(req, "s3.amazonaws.com", test_creds, at(1));
  BOOST_TEST(http::find_header(req.headers, "x-amz-content-sha256") == "UNSIGNED-PAYLOAD");
  // The body is not part of the signature.
  http::request other_body{"PUT", "/bucket/key", {}, "other"};
  aws::sigv4_signer same("us-east-1", "s3", {.s3 = true, .unsigned_payload = true});
  same.sign(other_body, "s3.amazonaws.com", test_creds, at(1));
  BOOST_TEST(http::find_header(req.headers, "authorization") ==
             http::find_header(other_body.headers, "authorization"));
}

BOOST_AUTO_TEST_CASE(given_payload_hash_is_used) {
  aws::sigv4_signer signer("us-east-1", "s3", {.s3 = true});
  http::request computed{"PUT", "/bucket/key", {}, "hello"};
  const std::string first = authorization_of(signer, computed, at(1));
  // The hash of "hello" given up front signs the same, whatever the body holds now.
  http::request given{"PUT",
                      "/bucket/key",
                      {{"X-Amz-Content-Sha256",
                        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"}},
                      "streamed later"};
  BOOST_TEST(authorization_of(signer, given, at(1)) == first);
}

BOOST_AUTO_TEST_CASE(host_given_by_the_request_is_kept) {
  aws::sigv4_signer signer("us-east-1", "service");
  http::request req{"GET", "/", {{"host", "given.example"}}, ""};
  signer.sign(req, "ignored.example", test_creds, at(1));
  BOOST_TEST(count_headers(req, "host") == 1u);
  BOOST_TEST(http::find_header(req.headers, "host") == "given.example");
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_without_revealing_the_secret) {
  aws::sigv4_signer signer("us-east-1", "service");
  http::request req{"GET", "/", {}, ""};
  const aws::credentials no_key_id{"", "very-secret-value", "", std::nullopt};
  try {
    signer.sign(req, "h", no_key_id, at(1));
    BOOST_FAIL("credentials without an access key id were accepted");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string_view(e.what()).find("very-secret-value") == std::string_view::npos);
  }
  BOOST_CHECK_THROW(signer.sign(req, "h", {"AKID", "", "", std::nullopt}, at(1)),
                    std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
