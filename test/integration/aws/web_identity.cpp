// Web identity credentials against a local STS stand-in on 127.0.0.1 (AWS_ENDPOINT_URL_STS
// points there): the request sent, refresh with a rotated token file, STS errors and malformed
// answers, never the token in a message.

#include "aws/web_identity_credentials.hpp"

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/error.hpp"
#include "integration/aws/credentials_fixture.hpp"
#include "support/local_http_server.hpp"
#include "support/utc_text.hpp"

BOOST_AUTO_TEST_SUITE(web_identity)

namespace aws = evstore::aws;
namespace asio = boost::asio;
namespace http = evstore::http;
using evstore::test::format_utc;
using evstore::test::get;
using evstore::test::get_error;
using evstore::test::local_http_server;
using evstore::test::request_log;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

constexpr std::string_view role = "arn:aws:iam::123456789012:role/evstore-app";

std::string credentials_xml(const std::string& key, system_clock::time_point expiration) {
  return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleWithWebIdentityResult><Credentials>"
         "<AccessKeyId>" +
         key + "</AccessKeyId><SecretAccessKey>SECRET-" + key +
         "</SecretAccessKey><SessionToken>SESSION-" + key + "</SessionToken><Expiration>" +
         format_utc(expiration, "%Y-%m-%dT%H:%M:%SZ") +
         "</Expiration></Credentials></AssumeRoleWithWebIdentityResult>"
         "</AssumeRoleWithWebIdentityResponse>";
}

std::string error_xml(const std::string& code, const std::string& message) {
  return "<ErrorResponse><Error><Type>Sender</Type><Code>" + code + "</Code><Message>" + message +
         "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
}

http::response answer(unsigned status, std::string body) {
  return evstore::test::answer(status, std::move(body), "text/xml");
}

// The form fields of an STS request body (values still percent-encoded).
std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    const std::size_t end = std::min(body.find('&', start), body.size());
    const std::string pair = body.substr(start, end - start);
    const std::size_t eq = pair.find('=');
    if (eq != std::string::npos) fields[pair.substr(0, eq)] = pair.substr(eq + 1);
    start = end + 1;
  }
  return fields;
}

struct token_file {
  std::filesystem::path path = std::filesystem::temp_directory_path() /
                               ("evstore-web-identity-" + std::to_string(std::random_device{}()));
  explicit token_file(const std::string& token) { write(token); }
  ~token_file() { std::filesystem::remove(path); }
  void write(const std::string& token) const { std::ofstream{path} << token << '\n'; }
};

aws::config config_for(const std::string& sts_url, const token_file& token,
                       std::map<std::string, std::string, std::less<>> more = {}) {
  std::map<std::string, std::string, std::less<>> env{
      {"HOME", "/nonexistent-evstore-home"},
      {"AWS_ENDPOINT_URL_STS", sts_url},
      {"AWS_ROLE_ARN", std::string{role}},
      {"AWS_WEB_IDENTITY_TOKEN_FILE", token.path.string()},
      {"AWS_EC2_METADATA_DISABLED", "true"}};
  for (auto& [name, value] : more) env.insert_or_assign(name, value);
  return aws::config::from_environment(aws::environment_from(std::move(env)));
}

void check_no_secret(const std::string& what) {
  BOOST_TEST(what.find("eyJ") == std::string::npos);  // every test token starts so
  BOOST_TEST(what.find("SECRET-") == std::string::npos);
  BOOST_TEST(what.find("SESSION-") == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(assumes_the_role_with_the_token_from_the_file) {
  request_log log;
  local_http_server sts{[&](const http::request& req) {
    log.add(req);
    return answer(200, credentials_xml("ASIAWEB1", system_clock::now() + 1h));
  }};
  const token_file token{"eyJhbGciOiJSUzI1NiJ9.first+token/="};
  asio::io_context io;
  auto provider = aws::make_default_credentials_provider(
      io.get_executor(), config_for(sts.url(), token, {{"AWS_ROLE_SESSION_NAME", "pod-7"}}));

  const aws::credentials creds = get(io, *provider);
  BOOST_TEST(creds.access_key_id == "ASIAWEB1");
  BOOST_TEST(creds.secret_access_key == "SECRET-ASIAWEB1");
  BOOST_TEST(creds.session_token == "SESSION-ASIAWEB1");
  BOOST_TEST(creds.expiration.has_value());

  BOOST_REQUIRE(log.size() == 1u);
  const http::request req = log.at(0);
  BOOST_TEST(req.method == "POST");
  BOOST_TEST(req.target == "/");
  BOOST_TEST(http::find_header(req.headers, "Authorization").empty());  // unsigned
  BOOST_TEST(http::find_header(req.headers, "Content-Type")
                 .starts_with("application/x-www-form-urlencoded"));
  const auto fields = form_fields(req.body);
  BOOST_TEST(fields.at("Action") == "AssumeRoleWithWebIdentity");
  BOOST_TEST(fields.at("Version") == "2011-06-15");
  BOOST_TEST(fields.at("RoleArn") == "arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fevstore-app");
  BOOST_TEST(fields.at("RoleSessionName") == "pod-7");
  BOOST_TEST(fields.at("WebIdentityToken") == "eyJhbGciOiJSUzI1NiJ9.first%2Btoken%2F%3D");

  BOOST_TEST(get(io, *provider).access_key_id == "ASIAWEB1");  // cached: no second call
  BOOST_TEST(log.size() == 1u);
}

BOOST_AUTO_TEST_CASE(refresh_before_expiry_reads_the_rotated_token) {
  request_log log;
  local_http_server sts{[&](const http::request& req) {
    log.add(req);
    // Ten minutes left: inside the provider's refresh window below.
    return answer(
        200, credentials_xml("ASIAWEB" + std::to_string(log.size()), system_clock::now() + 10min));
  }};
  const token_file token{"eyJfirst"};
  asio::io_context io;
  const aws::credentials_provider_options options{
      .refresh_before_expiry = 15min, .refresh_retry_interval = 10s, .clock = {}};
  auto provider = aws::make_default_credentials_provider(io.get_executor(),
                                                         config_for(sts.url(), token), options);
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAWEB1");
  BOOST_TEST(form_fields(log.at(0).body).at("RoleSessionName").starts_with("evstore-"));

  token.write("eyJsecond");
  // Still valid: answered from the cache while one refresh starts in the background.
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAWEB1");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (log.size() < 2 && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
  BOOST_REQUIRE(log.size() == 2u);
  BOOST_TEST(form_fields(log.at(1).body).at("WebIdentityToken") == "eyJsecond");
  // The refresh may still be storing its result when the server has answered.
  std::string key;
  for (int i = 0; i < 100 && key != "ASIAWEB2"; ++i) key = get(io, *provider).access_key_id;
  BOOST_TEST(key == "ASIAWEB2");
}

BOOST_AUTO_TEST_CASE(sts_errors_are_clear_and_never_hold_the_token) {
  std::atomic<int> mode{0};
  request_log log;
  local_http_server sts{[&](const http::request& req) {
    log.add(req);
    switch (mode.load()) {
      case 0:
        return answer(400, error_xml("InvalidIdentityToken",
                                     "Token eyJbad-token is expired or has an invalid audience"));
      case 1:
        return answer(403, error_xml("AccessDenied",
                                     "Not authorized to perform "
                                     "sts:AssumeRoleWithWebIdentity"));
      default:
        return answer(200,
                      "<AssumeRoleWithWebIdentityResponse><Credentials>"
                      "<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>SECRET-x");
    }
  }};
  const token_file token{"eyJbad-token"};
  asio::io_context io;
  auto provider =
      aws::make_default_credentials_provider(io.get_executor(), config_for(sts.url(), token));

  auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_unavailable));
  std::string what = e.what();
  BOOST_TEST(what.find("InvalidIdentityToken") != std::string::npos);
  BOOST_TEST(what.find("invalid audience") != std::string::npos);
  BOOST_TEST(what.find(role) != std::string::npos);
  check_no_secret(what);
  BOOST_TEST(log.size() == 1u);  // a rejected token is not retried

  mode = 1;
  e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_unavailable));
  what = e.what();
  BOOST_TEST(what.find("AccessDenied") != std::string::npos);
  check_no_secret(what);

  mode = 2;
  e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::malformed_credentials));
  what = e.what();
  BOOST_TEST(what.find("malformed XML") != std::string::npos);
  check_no_secret(what);
}

BOOST_AUTO_TEST_CASE(unavailable_sts_is_retried_then_answers) {
  request_log log;
  local_http_server sts{[&](const http::request& req) {
    log.add(req);
    if (log.size() == 1) return answer(503, "Service Unavailable");
    if (log.size() == 2) return answer(400, error_xml("IDPCommunicationError", "try again"));
    return answer(200, credentials_xml("ASIAWEB3", system_clock::now() + 1h));
  }};
  const token_file token{"eyJretry"};
  asio::io_context io;
  auto provider =
      aws::make_default_credentials_provider(io.get_executor(), config_for(sts.url(), token));
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAWEB3");
  BOOST_TEST(log.size() == 3u);
}

BOOST_AUTO_TEST_CASE(half_a_configuration_or_a_missing_file_is_an_invalid_config) {
  asio::io_context io;
  const token_file token{"eyJx"};
  auto no_role = aws::make_default_credentials_provider(
      io.get_executor(), config_for("http://127.0.0.1:9", token, {{"AWS_ROLE_ARN", ""}}));
  auto e = get_error(io, *no_role);
  BOOST_TEST((e.code() == aws::errc::invalid_config));
  BOOST_TEST(std::string{e.what()}.find("AWS_ROLE_ARN") != std::string::npos);

  auto missing_file = aws::make_default_credentials_provider(
      io.get_executor(),
      config_for("http://127.0.0.1:9", token,
                 {{"AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent-evstore/token"}}));
  e = get_error(io, *missing_file);
  BOOST_TEST((e.code() == aws::errc::invalid_config));
  BOOST_TEST(std::string{e.what()}.find("/nonexistent-evstore/token") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sts_endpoint_is_regional_unless_overridden) {
  const token_file token{"eyJx"};
  aws::config cfg = config_for("", token, {{"AWS_REGION", "eu-west-1"}});
  BOOST_TEST(cfg.endpoint_for("sts").host == "sts.eu-west-1.amazonaws.com");
  BOOST_TEST(cfg.endpoint_for("sts").tls);
  cfg = config_for("http://127.0.0.1:4599", token, {{"AWS_REGION", "eu-west-1"}});
  BOOST_TEST(cfg.endpoint_for("sts").port == 4599);
  BOOST_TEST(cfg.web_identity.role_arn == role);
}

BOOST_AUTO_TEST_SUITE_END()
