// The credentials document of container endpoints and instance metadata.

#include "aws/credentials_json.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/system/system_error.hpp>

#include "aws/timestamp.hpp"
#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(credentials_json)

namespace aws = evstore::aws;

namespace {

// The error's message, after checking its code and that it leaks none of `secrets`.
std::string malformed_message(std::string_view body, std::initializer_list<const char*> secrets) {
  try {
    aws::parse_credentials_json(body, "test source");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == aws::errc::malformed_credentials));
    const std::string what = e.what();
    for (const char* secret : secrets) BOOST_TEST(what.find(secret) == std::string::npos);
    BOOST_TEST(what.find("test source") != std::string::npos);
    return what;
  }
  BOOST_FAIL("expected an error");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(container_document) {
  const aws::credentials creds =
      aws::parse_credentials_json(R"({"AccessKeyId":"ASIA1","SecretAccessKey":"sec","Token":"tok",)"
                                  R"("Expiration":"2030-01-02T03:04:05Z","AccountId":"123"})",
                                  "container");
  BOOST_TEST(creds.access_key_id == "ASIA1");
  BOOST_TEST(creds.secret_access_key == "sec");
  BOOST_TEST(creds.session_token == "tok");
  BOOST_REQUIRE(creds.expiration);
  BOOST_TEST((*creds.expiration == *aws::parse_iso8601("2030-01-02T03:04:05Z")));
}

BOOST_AUTO_TEST_CASE(instance_metadata_document) {
  const aws::credentials creds = aws::parse_credentials_json(
      R"({"Code":"Success","LastUpdated":"2030-01-01T00:00:00Z","Type":"AWS-HMAC",)"
      R"("AccessKeyId":"ASIA2","SecretAccessKey":"sec2","Token":"tok2",)"
      R"("Expiration":"2030-01-01T06:00:00Z"})",
      "imds");
  BOOST_TEST(creds.access_key_id == "ASIA2");
  BOOST_TEST(creds.session_token == "tok2");
  BOOST_TEST(creds.expiration.has_value());
}

BOOST_AUTO_TEST_CASE(long_term_document_has_no_expiration) {
  const aws::credentials creds =
      aws::parse_credentials_json(R"({"AccessKeyId":"AKIA","SecretAccessKey":"s"})", "x");
  BOOST_TEST(creds.session_token.empty());
  BOOST_TEST(!creds.expiration);
}

BOOST_AUTO_TEST_CASE(malformed_documents) {
  BOOST_TEST(malformed_message("not json", {}).find("not JSON") != std::string::npos);
  BOOST_TEST(malformed_message("[1]", {}).find("not an object") != std::string::npos);
  BOOST_TEST(malformed_message(R"({"SecretAccessKey":"hush"})", {"hush"}).find("AccessKeyId") !=
             std::string::npos);
  BOOST_TEST(malformed_message(R"({"AccessKeyId":"A","SecretAccessKey":""})", {})
                 .find("SecretAccessKey") != std::string::npos);
  BOOST_TEST(
      malformed_message(R"({"AccessKeyId":"A","SecretAccessKey":7})", {}).find("SecretAccessKey") !=
      std::string::npos);
  BOOST_TEST(malformed_message(
                 R"({"AccessKeyId":"A","SecretAccessKey":"hush","Token":"tk","Expiration":"soon"})",
                 {"hush", "tk"})
                 .find("Expiration") != std::string::npos);
  BOOST_TEST(
      malformed_message(
          R"({"Code":"AssumeRoleUnauthorizedAccess","AccessKeyId":"A","SecretAccessKey":"hush"})",
          {"hush"})
          .find("AssumeRoleUnauthorizedAccess") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
