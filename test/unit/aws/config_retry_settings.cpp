// aws::config's retry settings and CA bundle: explicit settings over AWS_MAX_ATTEMPTS,
// AWS_RETRY_MODE and AWS_CA_BUNDLE over the profile's max_attempts, retry_mode and ca_bundle,
// and clear errors for values that are not ones. No process environment, no real ~/.aws.

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include <boost/system/system_error.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/error.hpp"

BOOST_AUTO_TEST_SUITE(config_retry_settings)

namespace aws = evstore::aws;
namespace fs = std::filesystem;

namespace {

// A fresh directory standing in for $HOME with a ~/.aws/config, removed afterwards.
struct home_with_profile {
  fs::path dir;
  explicit home_with_profile(const std::string& config_text) {
    dir = fs::temp_directory_path() /
          ("evstore-retry-settings-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir / ".aws");
    std::ofstream{dir / ".aws" / "config", std::ios::binary} << config_text;
    std::ofstream{dir / "ca.pem", std::ios::binary} << "not checked here, only readable\n";
  }
  ~home_with_profile() { fs::remove_all(dir); }

  aws::config load(std::map<std::string, std::string, std::less<>> variables = {},
                   const aws::config_settings& settings = {}) const {
    variables.emplace("HOME", dir.string());
    return aws::config::from_environment(aws::environment_from(std::move(variables)), settings);
  }
  std::string ca() const { return (dir / "ca.pem").string(); }
};

// The message of the invalid_config error `load` throws; fails the test when it throws none.
template <class Load>
std::string invalid_config_message(Load load) {
  try {
    load();
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == aws::errc::invalid_config));
    return e.what();
  }
  BOOST_ERROR("no invalid_config error");
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_CASE(nothing_set_leaves_them_to_the_user_of_the_config) {
  const home_with_profile home("[default]\nregion = us-east-1\n");
  const aws::config cfg = home.load();
  BOOST_TEST(!cfg.max_attempts.has_value());
  BOOST_TEST(!cfg.retry_mode.has_value());
  BOOST_TEST(cfg.ca_bundle.empty());
}

BOOST_AUTO_TEST_CASE(the_profile_then_the_environment_then_explicit_settings) {
  const home_with_profile home(
      "[default]\nmax_attempts = 4\nretry_mode = standard\nca_bundle = ~/ca.pem\n"
      "[profile ci]\nmax_attempts = 7\nretry_mode = adaptive\n");
  aws::config cfg = home.load();
  BOOST_TEST((cfg.max_attempts == 4u));
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::standard));
  BOOST_TEST(cfg.ca_bundle == home.ca());  // '~' expanded

  cfg = home.load({{"AWS_PROFILE", "ci"}});
  BOOST_TEST((cfg.max_attempts == 7u));
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::adaptive));
  BOOST_TEST(cfg.ca_bundle.empty());

  cfg = home.load(
      {{"AWS_MAX_ATTEMPTS", "2"}, {"AWS_RETRY_MODE", "adaptive"}, {"AWS_CA_BUNDLE", home.ca()}});
  BOOST_TEST((cfg.max_attempts == 2u));
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::adaptive));
  BOOST_TEST(cfg.ca_bundle == home.ca());

  aws::config_settings settings;
  settings.max_attempts = 0;
  settings.retry_mode = aws::retry_mode::standard;
  settings.ca_bundle = "";
  cfg = home.load({{"AWS_MAX_ATTEMPTS", "2"}, {"AWS_RETRY_MODE", "adaptive"}}, settings);
  BOOST_TEST((cfg.max_attempts == 0u));
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::standard));
  BOOST_TEST(cfg.ca_bundle.empty());  // the system store, whatever the profile says

  // Empty variables count as unset.
  cfg = home.load({{"AWS_MAX_ATTEMPTS", ""}, {"AWS_RETRY_MODE", ""}});
  BOOST_TEST((cfg.max_attempts == 4u));
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::standard));
}

BOOST_AUTO_TEST_CASE(legacy_is_taken_as_standard_and_zero_as_no_count) {
  const home_with_profile home("[default]\nretry_mode = legacy\n");
  const aws::config cfg = home.load({{"AWS_MAX_ATTEMPTS", "0"}});
  BOOST_TEST((cfg.retry_mode == aws::retry_mode::standard));
  BOOST_TEST((cfg.max_attempts == 0u));
}

BOOST_AUTO_TEST_CASE(values_that_are_not_ones_are_clear_errors) {
  const home_with_profile home(
      "[default]\nmax_attempts = many\n[profile odd]\nretry_mode = fast\n"
      "[profile nowhere]\nca_bundle = /nonexistent/evstore-ca.pem\n");
  std::string message = invalid_config_message([&] { home.load({{"AWS_MAX_ATTEMPTS", "-1"}}); });
  BOOST_TEST(contains(message, "AWS_MAX_ATTEMPTS takes a whole number of attempts from 0"));
  BOOST_TEST(contains(message, "not '-1'"));
  message = invalid_config_message([&] { home.load({{"AWS_MAX_ATTEMPTS", "1001"}}); });
  BOOST_TEST(contains(message, "to 1000"));
  message = invalid_config_message([&] { home.load({{"AWS_MAX_ATTEMPTS", "3 "}}); });
  BOOST_TEST(contains(message, "not '3 '"));
  message = invalid_config_message([&] { home.load(); });
  BOOST_TEST(contains(message, "max_attempts of profile 'default' in "));
  BOOST_TEST(contains(message, "not 'many'"));

  message = invalid_config_message([&] {
    home.load({{"AWS_MAX_ATTEMPTS", "3"}, {"AWS_RETRY_MODE", "Adaptive"}});
  });
  BOOST_TEST(contains(message, "AWS_RETRY_MODE takes standard or adaptive"));
  message = invalid_config_message([&] { home.load({{"AWS_PROFILE", "odd"}}); });
  BOOST_TEST(contains(message, "retry_mode of profile 'odd'"));
  BOOST_TEST(contains(message, "not 'fast'"));

  message = invalid_config_message([&] {
    home.load({{"AWS_MAX_ATTEMPTS", "3"}, {"AWS_CA_BUNDLE", "/nonexistent/evstore-ca.pem"}});
  });
  BOOST_TEST(contains(message, "AWS_CA_BUNDLE names \"/nonexistent/evstore-ca.pem\""));
  message = invalid_config_message([&] { home.load({{"AWS_PROFILE", "nowhere"}}); });
  BOOST_TEST(contains(message, "ca_bundle of profile 'nowhere'"));
}

BOOST_AUTO_TEST_SUITE_END()
