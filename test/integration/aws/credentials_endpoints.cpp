// Container and EC2 instance-metadata credentials against an in-process server on 127.0.0.1:
// the override variables point there, so the real 169.254.x addresses are never contacted.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/error.hpp"
#include "integration/aws/credentials_fixture.hpp"
#include "support/local_http_server.hpp"
#include "support/utc_text.hpp"

BOOST_AUTO_TEST_SUITE(credentials_endpoints)

namespace aws = evstore::aws;
namespace asio = boost::asio;
namespace http = evstore::http;
using evstore::test::answer;
using evstore::test::format_utc;
using evstore::test::get;
using evstore::test::get_error;
using evstore::test::local_http_server;
using evstore::test::request_log;
using namespace std::chrono_literals;
using std::chrono::system_clock;

namespace {

std::string credentials_json(const std::string& key, system_clock::time_point expiration) {
  return R"({"AccessKeyId":")" + key + R"(","SecretAccessKey":"SECRET-)" + key +
         R"(","Token":"TOKEN-)" + key + R"(","Expiration":")" +
         format_utc(expiration, "%Y-%m-%dT%H:%M:%SZ") + R"("})";
}

std::shared_ptr<aws::credentials_provider> provider_for(
    asio::io_context& io, std::map<std::string, std::string, std::less<>> env,
    aws::credentials_provider_options options = {}) {
  env.emplace("HOME", "/nonexistent-evstore-home");
  const aws::config cfg = aws::config::from_environment(aws::environment_from(std::move(env)));
  return aws::make_default_credentials_provider(io.get_executor(), cfg, std::move(options));
}

void check_no_secret(const std::string& what) {
  BOOST_TEST(what.find("SECRET-") == std::string::npos);
  BOOST_TEST(what.find("TOKEN-") == std::string::npos);
  BOOST_TEST(what.find("container-auth-token") == std::string::npos);
}

}  // namespace

BOOST_AUTO_TEST_CASE(container_credentials_with_authorization_token) {
  request_log log;
  local_http_server server{[&](const http::request& req) {
    log.add(req);
    if (req.target != "/v1/creds?x=1") return answer(404, "");
    if (http::find_header(req.headers, "Authorization") != "container-auth-token")
      return answer(401, "bad token");
    return answer(200, credentials_json("ASIACONTAINER", system_clock::now() + 1h));
  }};
  asio::io_context io;
  auto provider =
      provider_for(io, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/v1/creds?x=1"},
                        {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token"},
                        {"AWS_EC2_METADATA_DISABLED", "true"}});
  const aws::credentials creds = get(io, *provider);
  BOOST_TEST(creds.access_key_id == "ASIACONTAINER");
  BOOST_TEST(creds.secret_access_key == "SECRET-ASIACONTAINER");
  BOOST_TEST(creds.session_token == "TOKEN-ASIACONTAINER");
  BOOST_TEST(creds.expiration.has_value());
  BOOST_TEST(log.count("GET", "/v1/creds?x=1") == 1u);
}

BOOST_AUTO_TEST_CASE(container_token_file_is_read_at_each_fetch) {
  const auto token_file = std::filesystem::temp_directory_path() /
                          ("evstore-token-" + std::to_string(std::random_device{}()));
  std::ofstream{token_file} << "first-token\n";
  std::mutex mutex;
  std::vector<std::string> tokens;
  local_http_server server{[&](const http::request& req) {
    const std::lock_guard lock{mutex};
    tokens.emplace_back(http::find_header(req.headers, "Authorization"));
    // Expires at once, so every get() fetches.
    return answer(200, credentials_json("K" + std::to_string(tokens.size()), system_clock::now()));
  }};
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file.string()},
                                    {"AWS_EC2_METADATA_DISABLED", "true"}});
  get(io, *provider);
  std::ofstream{token_file} << "second-token";
  get(io, *provider);
  std::filesystem::remove(token_file);
  const std::lock_guard lock{mutex};
  BOOST_REQUIRE(tokens.size() == 2u);
  BOOST_TEST(tokens[0] == "first-token");
  BOOST_TEST(tokens[1] == "second-token");
}

BOOST_AUTO_TEST_CASE(container_errors_are_clear_and_secret_free) {
  std::atomic<unsigned> status{404};
  std::atomic<bool> malformed{false};
  local_http_server server{[&](const http::request&) {
    if (malformed) return answer(200, R"({"AccessKeyId":"A","SecretAccessKey":"SECRET-x",)");
    return answer(status, "TOKEN-in-body");
  }};
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url() + "/c"},
                                    {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-auth-token"},
                                    {"AWS_EC2_METADATA_DISABLED", "true"}});
  auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_unavailable));
  BOOST_TEST(std::string{e.what()}.find("HTTP 404") != std::string::npos);
  check_no_secret(e.what());

  status = 403;
  e = get_error(io, *provider);
  BOOST_TEST(std::string{e.what()}.find("AWS_CONTAINER_AUTHORIZATION_TOKEN") != std::string::npos);
  check_no_secret(e.what());

  malformed = true;
  e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::malformed_credentials));
  check_no_secret(e.what());
}

BOOST_AUTO_TEST_CASE(container_http_url_must_be_local) {
  asio::io_context io;
  // Rejected before any connection is attempted.
  auto provider =
      provider_for(io, {{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.1/creds"},
                        {"AWS_EC2_METADATA_DISABLED", "true"}});
  const auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::invalid_config));
}

BOOST_AUTO_TEST_CASE(nothing_configured_lists_the_sources_tried) {
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_EC2_METADATA_DISABLED", "true"}});
  const auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_not_found));
  const std::string what = e.what();
  BOOST_TEST(what.find("AWS_CONTAINER_CREDENTIALS_FULL_URI") != std::string::npos);
  BOOST_TEST(what.find("AWS_EC2_METADATA_DISABLED") != std::string::npos);
}

namespace {

// A fake IMDSv2: token, role listing, role credentials.
struct fake_imds {
  request_log log;
  std::atomic<int> credentials_served{0};
  std::atomic<bool> no_role{false};
  std::atomic<bool> malformed{false};
  std::chrono::seconds lifetime{3600};
  local_http_server server{[this](const http::request& req) { return handle(req); }};

  http::response handle(const http::request& req) {
    log.add(req);
    if (req.method == "PUT" && req.target == "/latest/api/token") {
      if (http::find_header(req.headers, "X-aws-ec2-metadata-token-ttl-seconds") != "21600")
        return answer(400, "missing ttl");
      return answer(200, "imds-session-token");
    }
    if (http::find_header(req.headers, "X-aws-ec2-metadata-token") != "imds-session-token")
      return answer(401, "");
    if (req.method != "GET") return answer(405, "");
    if (req.target == "/latest/meta-data/iam/security-credentials/")
      return no_role ? answer(404, "") : answer(200, "evstore-role\n");
    if (req.target == "/latest/meta-data/iam/security-credentials/evstore-role") {
      if (malformed) return answer(200, "<html>SECRET-nope</html>");
      const int n = ++credentials_served;
      return answer(
          200, R"({"Code":"Success","Type":"AWS-HMAC",)" +
                   credentials_json("ASIAIMDS" + std::to_string(n), system_clock::now() + lifetime)
                       .substr(1));
    }
    return answer(404, "");
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(imds_token_role_discovery_and_credentials) {
  fake_imds imds;
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}});
  const aws::credentials creds = get(io, *provider);
  BOOST_TEST(creds.access_key_id == "ASIAIMDS1");
  BOOST_TEST(creds.session_token == "TOKEN-ASIAIMDS1");
  BOOST_TEST(imds.log.count("PUT", "/latest/api/token") == 1u);
  BOOST_TEST(imds.log.count("GET", "/latest/meta-data/iam/security-credentials/") == 1u);
  BOOST_TEST(imds.log.count("GET", "/latest/meta-data/iam/security-credentials/evstore-role") ==
             1u);
}

BOOST_AUTO_TEST_CASE(imds_expiry_drives_a_refresh_and_the_token_is_reused) {
  fake_imds imds;
  imds.lifetime = 2s;  // whole seconds on the wire: expires 1 to 2 s from now
  asio::io_context io;
  auto provider =
      provider_for(io, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}},
                   {.refresh_before_expiry = 0s, .refresh_retry_interval = 10s, .clock = {}});
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAIMDS1");
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAIMDS1");  // cached
  BOOST_TEST(provider->fetch_count() == 1u);

  asio::steady_timer wait{io, 2100ms};
  wait.async_wait([](boost::system::error_code) {});
  io.restart();
  io.run();
  BOOST_TEST(get(io, *provider).access_key_id == "ASIAIMDS2");
  BOOST_TEST(provider->fetch_count() == 2u);
  BOOST_TEST(imds.log.count("PUT", "/latest/api/token") == 1u);
}

BOOST_AUTO_TEST_CASE(imds_concurrent_callers_share_one_fetch) {
  fake_imds imds;
  imds.server.set_response_delay(30ms);
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}});
  std::vector<std::string> keys;
  for (int i = 0; i < 20; ++i)
    asio::co_spawn(io, provider->get(), [&](std::exception_ptr e, aws::credentials c) {
      BOOST_TEST(!e);
      keys.push_back(c.access_key_id);
    });
  io.run_for(20s);
  BOOST_TEST(keys.size() == 20u);
  for (const auto& key : keys) BOOST_TEST(key == "ASIAIMDS1");
  BOOST_TEST(imds.credentials_served == 1);
  BOOST_TEST(provider->fetch_count() == 1u);
}

BOOST_AUTO_TEST_CASE(imds_errors) {
  fake_imds imds;
  imds.no_role = true;
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.server.url()}});
  auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_unavailable));
  BOOST_TEST(std::string{e.what()}.find("no IAM role") != std::string::npos);

  imds.no_role = false;
  imds.malformed = true;
  e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::malformed_credentials));
  check_no_secret(e.what());
  BOOST_TEST(std::string{e.what()}.find("imds-session-token") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(imds_unreachable_means_no_credentials) {
  // A port nobody listens on: the server is destroyed before the fetch.
  std::string url;
  {
    url = local_http_server{[](const http::request&) { return answer(200, ""); }}.url();
  }
  asio::io_context io;
  auto provider = provider_for(io, {{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}});
  const auto e = get_error(io, *provider);
  BOOST_TEST((e.code() == aws::errc::credentials_not_found));
  BOOST_TEST(std::string{e.what()}.find("not reachable") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
