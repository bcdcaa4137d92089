// STS AssumeRoleWithWebIdentity: the form body, the credentials and error answers, and the
// XML reader under them.

#include "aws/sts.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/system/system_error.hpp>

#include "aws/timestamp.hpp"
#include "aws/xml_leaves.hpp"
#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(sts)

namespace aws = evstore::aws;

namespace {

const std::string success_xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:ns:app</SubjectFromWebIdentityToken>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/app/evstore-1</Arn>
      <AssumedRoleId>AROAEXAMPLE:evstore-1</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>FwoGZX&amp;token/with+chars=</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2026-11-26T19:30:00Z</Expiration>
      <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
    </Credentials>
    <Audience>sts.amazonaws.com</Audience>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
)";

std::string error_of(const std::string& xml) {
  try {
    aws::parse_assume_role_with_web_identity_response(xml, "STS test");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == aws::errc::malformed_credentials));
    return e.what();
  }
  BOOST_FAIL("expected malformed_credentials");
  return {};
}

}  // namespace

BOOST_AUTO_TEST_CASE(form_body_encodes_every_value) {
  aws::assume_role_with_web_identity_request request;
  request.role_arn = "arn:aws:iam::123456789012:role/app";
  request.role_session_name = "evstore-1";
  request.web_identity_token = "eyJ.a+b/c=";
  BOOST_TEST(aws::to_form_body(request) ==
             "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
             "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fapp"
             "&RoleSessionName=evstore-1&WebIdentityToken=eyJ.a%2Bb%2Fc%3D");
}

BOOST_AUTO_TEST_CASE(credentials_are_read_from_the_response) {
  const aws::credentials creds =
      aws::parse_assume_role_with_web_identity_response(success_xml, "STS test");
  BOOST_TEST(creds.access_key_id == "ASIAEXAMPLE");
  BOOST_TEST(creds.secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
  BOOST_TEST(creds.session_token == "FwoGZX&token/with+chars=");
  BOOST_TEST((creds.expiration == aws::parse_iso8601("2026-11-26T19:30:00Z")));
}

BOOST_AUTO_TEST_CASE(missing_or_malformed_answers_name_the_problem_not_values) {
  std::string no_token = success_xml;
  no_token.erase(no_token.find("<SessionToken>"),
                 no_token.find("</SessionToken>") + 15 - no_token.find("<SessionToken>"));
  BOOST_TEST(error_of(no_token).find("SessionToken") != std::string::npos);

  std::string bad_time = success_xml;
  bad_time.replace(bad_time.find("2026-11-26T19:30:00Z"), 20, "tomorrow");
  BOOST_TEST(error_of(bad_time).find("Expiration") != std::string::npos);

  const std::string truncated = success_xml.substr(0, success_xml.find("</Credentials>"));
  const std::string what = error_of(truncated);
  BOOST_TEST(what.find("malformed XML") != std::string::npos);
  BOOST_TEST(what.find("wJalrXUtnFEMI") == std::string::npos);

  BOOST_TEST(error_of("<html>gateway</html>").find("AccessKeyId") != std::string::npos);
  BOOST_TEST(error_of("").find("no root element") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(error_responses_give_code_and_message) {
  const auto error = aws::parse_sts_error(
      R"(<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>InvalidIdentityToken</Code>
  <Message>Incorrect token audience</Message></Error>
  <RequestId>8a3b</RequestId></ErrorResponse>)");
  BOOST_REQUIRE(error.has_value());
  BOOST_TEST(error->code == "InvalidIdentityToken");
  BOOST_TEST(error->message == "Incorrect token audience");
  BOOST_TEST(!aws::parse_sts_error(success_xml).has_value());
  BOOST_TEST(!aws::parse_sts_error("<ErrorResponse><Error>").has_value());
  BOOST_TEST(!aws::parse_sts_error("Service Unavailable").has_value());
  BOOST_TEST(aws::is_retryable_sts_error("IDPCommunicationError"));
  BOOST_TEST(aws::is_retryable_sts_error("Throttling"));
  BOOST_TEST(!aws::is_retryable_sts_error("InvalidIdentityToken"));
  BOOST_TEST(!aws::is_retryable_sts_error("AccessDenied"));
}

BOOST_AUTO_TEST_CASE(xml_leaves_decode_entities_cdata_and_skip_attributes) {
  const aws::xml_leaves leaves = aws::read_xml_leaves(
      "\xEF\xBB\xBF<!-- c --><a x=\"1>2\" y='z'><b>&lt;&#65;&#x42;&#xe9;&gt;</b>"
      "<c><![CDATA[<raw&>]]></c><d/><b>second</b></a>");
  BOOST_TEST(leaves.at("a/b") == "<AB\xC3\xA9>");  // the first of a repeated path
  BOOST_TEST(leaves.at("a/c") == "<raw&>");
  BOOST_TEST(leaves.at("a/d") == "");
  BOOST_TEST(!leaves.contains("a"));
}

BOOST_AUTO_TEST_CASE(xml_leaves_reject_malformed_documents) {
  for (const char* bad :
       {"<a><b></a></b>", "<a>", "</a>", "<a></a><b></b>", "text<a/>", "<a>&bogus;</a>",
        "<a>&#0;</a>", "<a>&#x110000;</a>", "<a>&amp</a>", "<!DOCTYPE a><a/>", "<a x=\"1></a>",
        "<a><!-- open</a>", "< >", "<a>]]></a>", "<a/><?pi?>"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_CHECK_THROW(aws::read_xml_leaves(bad), std::invalid_argument);
    }
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  BOOST_CHECK_THROW(aws::read_xml_leaves(deep), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
