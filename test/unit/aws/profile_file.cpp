// The INI dialect of ~/.aws/credentials and ~/.aws/config.

#include "aws/profile_file.hpp"

#include <boost/test/unit_test.hpp>

#include <boost/system/system_error.hpp>

#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(profile_file)

namespace aws = evstore::aws;

BOOST_AUTO_TEST_CASE(credentials_file_sections_and_comments) {
  const aws::profile_file file = aws::parse_profile_file(
      "; leading comment\r\n"
      "[default] # trailing comment on a header\r\n"
      "Aws_Access_Key_Id=AKID\r\n"
      "  aws_secret_access_key   =   a#b;c   # comment\r\n"
      "\n"
      "[ spaced ]\n"
      "region = eu-west-1\n",
      aws::profile_file_kind::credentials, "creds");
  const aws::profile_properties* def = file.find("default");
  BOOST_REQUIRE(def);
  BOOST_TEST(def->at("aws_access_key_id") == "AKID");
  // '#' and ';' start a comment only after whitespace.
  BOOST_TEST(def->at("aws_secret_access_key") == "a#b;c");
  BOOST_REQUIRE(file.find("spaced"));
  BOOST_TEST(file.find("spaced")->at("region") == "eu-west-1");
  BOOST_TEST(!file.find("missing"));
}

BOOST_AUTO_TEST_CASE(config_file_profiles_need_the_prefix) {
  const aws::profile_file file = aws::parse_profile_file(
      "[default]\nregion = a\n"
      "[profile dev]\nregion = b\n"
      "[profile default]\noutput = json\n"
      "[sso-session corp]\nsso_region = c\n"
      "[profiledev]\nregion = d\n",
      aws::profile_file_kind::config, "config");
  BOOST_TEST(file.profiles.size() == 2u);
  BOOST_TEST(file.find("default")->at("region") == "a");
  BOOST_TEST(file.find("default")->at("output") == "json");
  BOOST_TEST(file.find("dev")->at("region") == "b");
  BOOST_TEST(!file.find("corp"));
  BOOST_TEST(!file.find("profiledev"));
}

BOOST_AUTO_TEST_CASE(sub_properties) {
  const aws::profile_file file = aws::parse_profile_file(
      "[profile x]\ns3 =\n  addressing_style = path\n  max_concurrent_requests = 4\nregion = r\n",
      aws::profile_file_kind::config, "config");
  const aws::profile_properties& x = *file.find("x");
  BOOST_TEST(x.at("s3.addressing_style") == "path");
  BOOST_TEST(x.at("s3.max_concurrent_requests") == "4");
  BOOST_TEST(x.at("region") == "r");
}

BOOST_AUTO_TEST_CASE(malformed_lines) {
  auto fails_at = [](const char* text, const char* where) {
    try {
      aws::parse_profile_file(text, aws::profile_file_kind::credentials, "f");
    } catch (const boost::system::system_error& e) {
      return e.code() == aws::errc::invalid_config &&
             std::string{e.what()}.find(where) != std::string::npos;
    }
    return false;
  };
  BOOST_TEST(fails_at("key = value\n", "f:1:"));
  BOOST_TEST(fails_at("[default]\nno equals sign\n", "f:2:"));
  BOOST_TEST(fails_at("[default\n", "f:1:"));
  BOOST_TEST(fails_at("[]\n", "f:1:"));
  BOOST_TEST(fails_at("[default]\n = value\n", "f:2:"));
  BOOST_TEST(aws::parse_profile_file("", aws::profile_file_kind::config, "f").profiles.empty());
}

BOOST_AUTO_TEST_SUITE_END()
