// Configuration from explicit settings, an injected environment and profile files written to a
// temporary directory: no process environment, no real ~/.aws.

#include "evstore/aws/config.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include <boost/system/system_error.hpp>

#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(config)

namespace aws = evstore::aws;
namespace fs = std::filesystem;

namespace {

// A fresh directory standing in for $HOME, removed afterwards.
struct fake_home {
  fs::path dir;
  fake_home() {
    dir = fs::temp_directory_path() /
          ("evstore-aws-config-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir / ".aws");
  }
  ~fake_home() { fs::remove_all(dir); }
  void write(const std::string& relative, const std::string& text) const {
    std::ofstream{dir / relative, std::ios::binary} << text;
  }
  std::string home() const { return dir.string(); }
};

bool has_code(const boost::system::system_error& e, aws::errc code) {
  return e.code() == code;
}

}  // namespace

BOOST_AUTO_TEST_CASE(empty_environment_gives_defaults) {
  const aws::config cfg = aws::config::from_environment(aws::environment_from({}));
  BOOST_TEST(cfg.region.empty());
  BOOST_TEST(cfg.profile == "default");
  BOOST_TEST(!cfg.static_credentials);
  BOOST_TEST(cfg.container_credentials.url.empty());
  BOOST_TEST(cfg.instance_metadata.endpoint == "http://169.254.169.254");
  BOOST_TEST(!cfg.instance_metadata.disabled);
  BOOST_CHECK_EXCEPTION(cfg.endpoint_for("dynamodb"), boost::system::system_error,
                        [](const auto& e) { return has_code(e, aws::errc::missing_region); });
}

BOOST_AUTO_TEST_CASE(region_precedence) {
  auto env =
      aws::environment_from({{"AWS_REGION", "eu-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  BOOST_TEST(aws::config::from_environment(env).region == "eu-west-1");
  env = aws::environment_from({{"AWS_DEFAULT_REGION", "us-west-2"}});
  BOOST_TEST(aws::config::from_environment(env).region == "us-west-2");
  aws::config_settings settings;
  settings.region = "ap-south-1";
  BOOST_TEST(aws::config::from_environment(env, settings).region == "ap-south-1");
  // An empty variable counts as unset.
  env = aws::environment_from({{"AWS_REGION", ""}, {"AWS_DEFAULT_REGION", "us-west-2"}});
  BOOST_TEST(aws::config::from_environment(env).region == "us-west-2");
}

BOOST_AUTO_TEST_CASE(region_must_be_a_host_label) {
  auto env = aws::environment_from({{"AWS_REGION", "evil.example.com/"}});
  BOOST_CHECK_EXCEPTION(aws::config::from_environment(env), boost::system::system_error,
                        [](const auto& e) { return has_code(e, aws::errc::invalid_config); });
}

BOOST_AUTO_TEST_CASE(environment_credentials) {
  auto env = aws::environment_from({{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                    {"AWS_SECRET_ACCESS_KEY", "secret-env"},
                                    {"AWS_SESSION_TOKEN", "token-env"}});
  const aws::config cfg = aws::config::from_environment(env);
  BOOST_REQUIRE(cfg.static_credentials);
  BOOST_TEST(cfg.static_credentials->access_key_id == "AKIDENV");
  BOOST_TEST(cfg.static_credentials->secret_access_key == "secret-env");
  BOOST_TEST(cfg.static_credentials->session_token == "token-env");
  BOOST_TEST(!cfg.static_credentials->expiration);
  BOOST_TEST(cfg.static_credentials_origin.find("environment") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(half_a_key_pair_in_the_environment_is_an_error_without_the_secret) {
  auto env = aws::environment_from({{"AWS_SECRET_ACCESS_KEY", "secret-only"}});
  try {
    aws::config::from_environment(env);
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(has_code(e, aws::errc::invalid_config));
    BOOST_TEST(std::string{e.what()}.find("AWS_ACCESS_KEY_ID") != std::string::npos);
    BOOST_TEST(std::string{e.what()}.find("secret-only") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(explicit_credentials_win_over_the_environment) {
  auto env = aws::environment_from(
      {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "secret-env"}});
  aws::config_settings settings;
  settings.credentials = aws::credentials{"AKIDCODE", "secret-code", "", std::nullopt};
  const aws::config cfg = aws::config::from_environment(env, settings);
  BOOST_REQUIRE(cfg.static_credentials);
  BOOST_TEST(cfg.static_credentials->access_key_id == "AKIDCODE");
  BOOST_TEST(cfg.static_credentials_origin == "explicit settings");
}

BOOST_AUTO_TEST_CASE(default_profile_from_home) {
  fake_home home;
  home.write(".aws/credentials",
             "# comment\n[default]\naws_access_key_id = AKIDFILE\n"
             "aws_secret_access_key = secret/file+x ; trailing comment\n\n[other]\n"
             "aws_access_key_id = AKIDOTHER\naws_secret_access_key = s2\n");
  home.write(".aws/config",
             "[default]\nregion = eu-central-1\n[profile other]\nregion = us-east-2\n");
  const aws::config cfg =
      aws::config::from_environment(aws::environment_from({{"HOME", home.home()}}));
  BOOST_TEST(cfg.region == "eu-central-1");
  BOOST_REQUIRE(cfg.static_credentials);
  BOOST_TEST(cfg.static_credentials->access_key_id == "AKIDFILE");
  BOOST_TEST(cfg.static_credentials->secret_access_key == "secret/file+x");
  BOOST_TEST(cfg.static_credentials_origin.find("profile 'default'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(named_profile_and_file_variables) {
  fake_home home;
  home.write("creds",
             "[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = s2\n"
             "aws_session_token = t2\n");
  home.write("conf", "[profile other]\nregion = us-east-2\ns3 =\n  addressing_style = path\n");
  auto env = aws::environment_from({{"HOME", home.home()},
                                    {"AWS_PROFILE", "other"},
                                    {"AWS_SHARED_CREDENTIALS_FILE", home.home() + "/creds"},
                                    {"AWS_CONFIG_FILE", "~/conf"}});
  const aws::config cfg = aws::config::from_environment(env);
  BOOST_TEST(cfg.profile == "other");
  BOOST_TEST(cfg.region == "us-east-2");
  BOOST_REQUIRE(cfg.static_credentials);
  BOOST_TEST(cfg.static_credentials->access_key_id == "AKIDOTHER");
  BOOST_TEST(cfg.static_credentials->session_token == "t2");
  BOOST_TEST(cfg.s3_force_path_style);
}

BOOST_AUTO_TEST_CASE(environment_credentials_win_over_the_profile) {
  fake_home home;
  home.write(".aws/credentials",
             "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n");
  auto env = aws::environment_from(
      {{"HOME", home.home()}, {"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "e"}});
  BOOST_TEST(aws::config::from_environment(env).static_credentials->access_key_id == "AKIDENV");
}

BOOST_AUTO_TEST_CASE(credentials_in_the_config_file_are_used_last) {
  fake_home home;
  home.write(".aws/config",
             "[profile p]\naws_access_key_id = AKIDCONF\naws_secret_access_key = c\n");
  auto env = aws::environment_from({{"HOME", home.home()}, {"AWS_PROFILE", "p"}});
  const aws::config cfg = aws::config::from_environment(env);
  BOOST_REQUIRE(cfg.static_credentials);
  BOOST_TEST(cfg.static_credentials->access_key_id == "AKIDCONF");
}

BOOST_AUTO_TEST_CASE(unknown_named_profile_is_an_error) {
  fake_home home;
  home.write(".aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = s\n");
  auto env = aws::environment_from({{"HOME", home.home()}, {"AWS_PROFILE", "missing"}});
  BOOST_CHECK_EXCEPTION(aws::config::from_environment(env), boost::system::system_error,
                        [](const auto& e) {
                          return has_code(e, aws::errc::invalid_config) &&
                                 std::string{e.what()}.find("'missing'") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_CASE(half_a_key_pair_in_a_profile_is_an_error) {
  fake_home home;
  home.write(".aws/credentials", "[default]\naws_secret_access_key = lonely-secret\n");
  try {
    aws::config::from_environment(aws::environment_from({{"HOME", home.home()}}));
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(has_code(e, aws::errc::invalid_config));
    BOOST_TEST(std::string{e.what()}.find("lonely-secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(malformed_profile_file_names_the_line_not_its_content) {
  fake_home home;
  home.write(".aws/credentials", "[default]\naws_access_key_id = A\nsecret-looking-garbage\n");
  try {
    aws::config::from_environment(aws::environment_from({{"HOME", home.home()}}));
    BOOST_FAIL("expected an error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(has_code(e, aws::errc::invalid_config));
    const std::string what = e.what();
    BOOST_TEST(what.find(":3:") != std::string::npos);
    BOOST_TEST(what.find("secret-looking-garbage") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(default_endpoints) {
  aws::config cfg;
  cfg.region = "eu-west-1";
  const evstore::http::endpoint ddb = cfg.endpoint_for("dynamodb");
  BOOST_TEST(ddb.tls);
  BOOST_TEST(ddb.host == "dynamodb.eu-west-1.amazonaws.com");
  BOOST_TEST(ddb.port == 443);

  const aws::s3_endpoint bucket = cfg.s3_endpoint_for("my-bucket");
  BOOST_TEST(!bucket.path_style);
  BOOST_TEST(bucket.endpoint.host == "my-bucket.s3.eu-west-1.amazonaws.com");

  // Dots would break the wildcard certificate; uppercase is not a valid host label.
  for (const char* name : {"my.bucket", "MyBucket"}) {
    const aws::s3_endpoint path = cfg.s3_endpoint_for(name);
    BOOST_TEST(path.path_style);
    BOOST_TEST(path.endpoint.host == "s3.eu-west-1.amazonaws.com");
  }
  cfg.s3_force_path_style = true;
  BOOST_TEST(cfg.s3_endpoint_for("my-bucket").path_style);
}

BOOST_AUTO_TEST_CASE(endpoint_overrides) {
  auto env = aws::environment_from({{"AWS_REGION", "us-east-1"},
                                    {"AWS_ENDPOINT_URL", "http://127.0.0.1:9999"},
                                    {"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"}});
  const aws::config cfg = aws::config::from_environment(env);
  const evstore::http::endpoint ddb = cfg.endpoint_for("dynamodb");
  BOOST_TEST(!ddb.tls);
  BOOST_TEST(ddb.port == 8000);
  // S3 falls back to the global override, and custom endpoints are addressed path-style.
  const aws::s3_endpoint s3 = cfg.s3_endpoint_for("bucket");
  BOOST_TEST(s3.path_style);
  BOOST_TEST(s3.endpoint.port == 9999);

  auto s3_only = aws::environment_from({{"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4566"}});
  const aws::config no_region = aws::config::from_environment(s3_only);
  BOOST_TEST(no_region.s3_endpoint_for("bucket").endpoint.port == 4566);

  aws::config_settings settings;
  settings.service_endpoint_urls["dynamodb"] = "https://ddb.example.test:8443/prefix";
  const aws::config explicit_cfg = aws::config::from_environment(env, settings);
  const evstore::http::endpoint custom = explicit_cfg.endpoint_for("dynamodb");
  BOOST_TEST(custom.host == "ddb.example.test");
  BOOST_TEST(custom.port == 8443);
  BOOST_TEST(custom.base_path == "/prefix");
}

BOOST_AUTO_TEST_CASE(malformed_endpoint_is_invalid_config) {
  auto env = aws::environment_from({{"AWS_ENDPOINT_URL_DYNAMODB", "ftp://nowhere"}});
  const aws::config cfg = aws::config::from_environment(env);
  BOOST_CHECK_EXCEPTION(cfg.endpoint_for("dynamodb"), boost::system::system_error,
                        [](const auto& e) { return has_code(e, aws::errc::invalid_config); });
}

BOOST_AUTO_TEST_CASE(container_and_metadata_settings) {
  auto relative =
      aws::environment_from({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc"},
                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok"},
                             {"AWS_EC2_METADATA_DISABLED", "TRUE"},
                             {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1234"}});
  aws::config cfg = aws::config::from_environment(relative);
  BOOST_TEST(cfg.container_credentials.url == "http://169.254.170.2/v2/credentials/abc");
  BOOST_TEST(cfg.container_credentials.authorization_token == "tok");
  BOOST_TEST(cfg.instance_metadata.disabled);
  BOOST_TEST(cfg.instance_metadata.endpoint == "http://127.0.0.1:1234");

  auto full =
      aws::environment_from({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:5555/creds"},
                             {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/ignored"},
                             {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/token"},
                             {"AWS_EC2_METADATA_DISABLED", "false"}});
  cfg = aws::config::from_environment(full);
  BOOST_TEST(cfg.container_credentials.url == "http://127.0.0.1:5555/creds");
  BOOST_TEST(cfg.container_credentials.authorization_token_file == "/var/run/token");
  BOOST_TEST(!cfg.instance_metadata.disabled);

  auto bad = aws::environment_from({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "no-slash"}});
  BOOST_CHECK_THROW(aws::config::from_environment(bad), boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(web_identity_from_the_environment_or_else_the_profile) {
  fake_home home;
  home.write(".aws/config",
             "[default]\nrole_arn = arn:aws:iam::1:role/from-profile\n"
             "web_identity_token_file = ~/token\nrole_session_name = profile-session\n");
  aws::config cfg = aws::config::from_environment(
      aws::environment_from({{"HOME", home.home()},
                             {"AWS_ROLE_ARN", "arn:aws:iam::1:role/from-env"},
                             {"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/secrets/token"}}));
  BOOST_TEST(cfg.web_identity.role_arn == "arn:aws:iam::1:role/from-env");
  BOOST_TEST(cfg.web_identity.token_file == "/var/run/secrets/token");
  BOOST_TEST(cfg.web_identity.role_session_name.empty());  // never mixed with the profile's

  cfg = aws::config::from_environment(aws::environment_from({{"HOME", home.home()}}));
  BOOST_TEST(cfg.web_identity.role_arn == "arn:aws:iam::1:role/from-profile");
  BOOST_TEST(cfg.web_identity.token_file == home.home() + "/token");
  BOOST_TEST(cfg.web_identity.role_session_name == "profile-session");

  cfg = aws::config::from_environment(aws::environment_from({}));
  BOOST_TEST(!cfg.web_identity.configured());
}

BOOST_AUTO_TEST_CASE(sts_endpoint_variable) {
  const aws::config cfg = aws::config::from_environment(aws::environment_from(
      {{"AWS_REGION", "ap-south-1"}, {"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4599"}}));
  BOOST_TEST(cfg.endpoint_for("sts").port == 4599);
  BOOST_TEST(cfg.endpoint_for("dynamodb").host == "dynamodb.ap-south-1.amazonaws.com");
}

BOOST_AUTO_TEST_SUITE_END()
