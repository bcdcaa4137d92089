#include "evstore/aws/config.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <boost/system/system_error.hpp>

#include "aws/profile_file.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace {

using boost::system::system_error;

// The variable's value when set and not empty (an empty variable counts as unset).
std::optional<std::string> non_empty(const environment& env, std::string_view name) {
  std::optional<std::string> value = env(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

std::string uppercase(std::string_view s) {
  std::string out{s};
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return uppercase(a) == uppercase(b);
}

std::string expand_home(std::string path, const std::optional<std::string>& home) {
  if (home && (path == "~" || path.starts_with("~/"))) path.replace(0, 1, *home);
  return path;
}

struct loaded_file {
  std::string path;
  profile_file content;
};

// A missing file is normal (no ~/.aws at all); an unreadable or malformed one is not.
std::optional<loaded_file> load_profile_file(const std::string& path, profile_file_kind kind) {
  std::ifstream in{path, std::ios::binary};
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw system_error{errc::invalid_config, "cannot read " + path};
  return loaded_file{path, parse_profile_file(text.str(), kind, path)};
}

const std::string* property(const profile_properties* props, std::string_view key) {
  if (!props) return nullptr;
  auto it = props->find(key);
  return it == props->end() || it->second.empty() ? nullptr : &it->second;
}

// Keys of one profile; nullopt when it has none. Half a pair is a mistake worth reporting.
std::optional<credentials> profile_credentials(const profile_properties* props,
                                               const std::string& profile,
                                               const std::string& path) {
  const std::string* key_id = property(props, "aws_access_key_id");
  const std::string* secret = property(props, "aws_secret_access_key");
  if (!key_id && !secret) return std::nullopt;
  if (!key_id || !secret)
    throw system_error{errc::invalid_config,
                       "profile '" + profile + "' in " + path +
                           " has only one of aws_access_key_id and aws_secret_access_key"};
  credentials creds;
  creds.access_key_id = *key_id;
  creds.secret_access_key = *secret;
  if (const std::string* token = property(props, "aws_session_token")) creds.session_token = *token;
  return creds;
}

// Regions become part of host names, so only DNS label characters are accepted.
void check_region(const std::string& region) {
  for (char c : region)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      throw system_error{errc::invalid_config,
                         "region \"" + region + "\" is not a region name (like us-east-1)"};
}

http::endpoint parse_endpoint(const std::string& url, std::string_view service) {
  try {
    return http::endpoint::parse(url);
  } catch (const std::invalid_argument& e) {
    throw system_error{errc::invalid_config,
                       "endpoint for " + std::string{service} + ": " + e.what()};
  }
}

// Bucket names usable as one host label under a TLS wildcard certificate: 3 to 63 lowercase
// letters, digits and hyphens, starting and ending with a letter or digit.
bool is_virtual_host_bucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return bucket.front() != '-' && bucket.back() != '-';
}

/// Attempts at most: more would only hide a service that does not answer.
constexpr unsigned max_attempts_limit = 1'000;

unsigned parse_max_attempts(std::string_view text, const std::string& origin) {
  unsigned value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value > max_attempts_limit)
    throw system_error{errc::invalid_config,
                       origin + " takes a whole number of attempts from 0 (no count) to " +
                           std::to_string(max_attempts_limit) + ", not '" + std::string{text} +
                           "'"};
  return value;
}

retry_mode parse_retry_mode(std::string_view text, const std::string& origin) {
  if (text == "standard" || text == "legacy") return retry_mode::standard;
  if (text == "adaptive") return retry_mode::adaptive;
  throw system_error{errc::invalid_config,
                     origin + " takes standard or adaptive (legacy is taken as standard), not '" +
                         std::string{text} + "'"};
}

void check_ca_bundle(const std::string& path, const std::string& origin) {
  std::ifstream in{path, std::ios::binary};
  if (!in)
    throw system_error{errc::invalid_config, origin + " names \"" + path +
                                                 "\", which cannot be read (a PEM file of "
                                                 "trusted CAs)"};
}

// How messages name a profile setting: "max_attempts of profile 'ci' in /home/u/.aws/config".
std::string profile_origin(std::string_view key, const std::string& profile,
                           const std::string& path) {
  return std::string{key} + " of profile '" + profile + "' in " + path;
}

}  // namespace

config config::from_environment(const config_settings& explicit_settings) {
  return from_environment(process_environment(), explicit_settings);
}

config config::from_environment(const environment& env, const config_settings& explicit_settings) {
  config cfg;
  const std::optional<std::string> home = non_empty(env, "HOME");

  const std::optional<std::string> profile_env = non_empty(env, "AWS_PROFILE");
  const bool profile_chosen = explicit_settings.profile || profile_env;
  cfg.profile =
      explicit_settings.profile ? *explicit_settings.profile : profile_env.value_or("default");

  std::optional<loaded_file> credentials_file;
  std::optional<loaded_file> config_file;
  if (auto path = non_empty(env, "AWS_SHARED_CREDENTIALS_FILE"))
    credentials_file = load_profile_file(expand_home(*path, home), profile_file_kind::credentials);
  else if (home)
    credentials_file =
        load_profile_file(*home + "/.aws/credentials", profile_file_kind::credentials);
  if (auto path = non_empty(env, "AWS_CONFIG_FILE"))
    config_file = load_profile_file(expand_home(*path, home), profile_file_kind::config);
  else if (home)
    config_file = load_profile_file(*home + "/.aws/config", profile_file_kind::config);

  const profile_properties* credentials_profile =
      credentials_file ? credentials_file->content.find(cfg.profile) : nullptr;
  const profile_properties* config_profile =
      config_file ? config_file->content.find(cfg.profile) : nullptr;
  if (profile_chosen && cfg.profile != "default" && !credentials_profile && !config_profile)
    throw system_error{errc::invalid_config,
                       "profile '" + cfg.profile +
                           "' (AWS_PROFILE or settings) is not defined in " +
                           (credentials_file ? credentials_file->path : "the credentials file") +
                           " nor in " + (config_file ? config_file->path : "the config file")};

  // Region.
  if (explicit_settings.region)
    cfg.region = *explicit_settings.region;
  else if (auto region = non_empty(env, "AWS_REGION"))
    cfg.region = *region;
  else if (auto default_region = non_empty(env, "AWS_DEFAULT_REGION"))
    cfg.region = *default_region;
  else if (const std::string* from_profile = property(config_profile, "region"))
    cfg.region = *from_profile;
  check_region(cfg.region);

  // Static credentials: explicit, environment, credentials file, config file.
  const std::optional<std::string> key_id = non_empty(env, "AWS_ACCESS_KEY_ID");
  const std::optional<std::string> secret = non_empty(env, "AWS_SECRET_ACCESS_KEY");
  if (explicit_settings.credentials) {
    cfg.static_credentials = *explicit_settings.credentials;
    cfg.static_credentials_origin = "explicit settings";
  } else if (key_id || secret) {
    if (!key_id || !secret)
      throw system_error{errc::invalid_config,
                         std::string{key_id ? "AWS_ACCESS_KEY_ID is set without "
                                              "AWS_SECRET_ACCESS_KEY"
                                            : "AWS_SECRET_ACCESS_KEY is set without "
                                              "AWS_ACCESS_KEY_ID"}};
    cfg.static_credentials.emplace();
    cfg.static_credentials->access_key_id = *key_id;
    cfg.static_credentials->secret_access_key = *secret;
    cfg.static_credentials->session_token = non_empty(env, "AWS_SESSION_TOKEN").value_or("");
    cfg.static_credentials_origin = "environment (AWS_ACCESS_KEY_ID)";
  } else if (auto from_credentials_file =
                 credentials_file
                     ? profile_credentials(credentials_profile, cfg.profile, credentials_file->path)
                     : std::nullopt) {
    cfg.static_credentials = std::move(from_credentials_file);
    cfg.static_credentials_origin = "profile '" + cfg.profile + "' in " + credentials_file->path;
  } else if (auto from_config_file =
                 config_file ? profile_credentials(config_profile, cfg.profile, config_file->path)
                             : std::nullopt) {
    cfg.static_credentials = std::move(from_config_file);
    cfg.static_credentials_origin = "profile '" + cfg.profile + "' in " + config_file->path;
  }

  // Endpoints.
  if (explicit_settings.endpoint_url)
    cfg.endpoint_url = *explicit_settings.endpoint_url;
  else if (auto url = non_empty(env, "AWS_ENDPOINT_URL"))
    cfg.endpoint_url = *url;
  else if (const std::string* from_profile = property(config_profile, "endpoint_url"))
    cfg.endpoint_url = *from_profile;
  cfg.service_endpoint_urls = explicit_settings.service_endpoint_urls;
  for (std::string_view service : {"dynamodb", "s3", "sts"}) {
    if (cfg.service_endpoint_urls.contains(service)) continue;
    if (auto url = non_empty(env, "AWS_ENDPOINT_URL_" + uppercase(service)))
      cfg.service_endpoint_urls.emplace(service, *url);
  }
  if (explicit_settings.s3_force_path_style)
    cfg.s3_force_path_style = *explicit_settings.s3_force_path_style;
  else if (const std::string* style = property(config_profile, "s3.addressing_style"))
    cfg.s3_force_path_style = *style == "path";

  // Container credentials endpoint.
  if (auto full = non_empty(env, "AWS_CONTAINER_CREDENTIALS_FULL_URI")) {
    cfg.container_credentials.url = *full;
  } else if (auto relative = non_empty(env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
    if (!relative->starts_with('/'))
      throw system_error{errc::invalid_config,
                         "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/'"};
    cfg.container_credentials.url = "http://169.254.170.2" + *relative;
  }
  cfg.container_credentials.authorization_token =
      non_empty(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN").value_or("");
  cfg.container_credentials.authorization_token_file =
      non_empty(env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").value_or("");

  // Web identity: the variables as a set, else the profile's keys as a set (never mixed, so
  // a role from one place is never paired with a token meant for another).
  cfg.web_identity.role_arn = non_empty(env, "AWS_ROLE_ARN").value_or("");
  cfg.web_identity.token_file =
      expand_home(non_empty(env, "AWS_WEB_IDENTITY_TOKEN_FILE").value_or(""), home);
  cfg.web_identity.role_session_name = non_empty(env, "AWS_ROLE_SESSION_NAME").value_or("");
  if (!cfg.web_identity.configured()) {
    if (const std::string* token_file = property(config_profile, "web_identity_token_file")) {
      cfg.web_identity.token_file = expand_home(*token_file, home);
      if (const std::string* role = property(config_profile, "role_arn"))
        cfg.web_identity.role_arn = *role;
      if (const std::string* session = property(config_profile, "role_session_name"))
        cfg.web_identity.role_session_name = *session;
    }
  }

  // EC2 instance metadata.
  if (auto endpoint = non_empty(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT"))
    cfg.instance_metadata.endpoint = *endpoint;
  else if (const std::string* from_profile =
               property(config_profile, "ec2_metadata_service_endpoint"))
    cfg.instance_metadata.endpoint = *from_profile;
  if (auto disabled = non_empty(env, "AWS_EC2_METADATA_DISABLED"))
    cfg.instance_metadata.disabled = equals_ignoring_case(*disabled, "true");

  // Retries and TLS trust: settings, then the environment, then the profile (as the SDKs).
  const std::string config_path = config_file ? config_file->path : std::string{};
  if (explicit_settings.max_attempts) {
    cfg.max_attempts = *explicit_settings.max_attempts;
  } else if (auto attempts = non_empty(env, "AWS_MAX_ATTEMPTS")) {
    cfg.max_attempts = parse_max_attempts(*attempts, "AWS_MAX_ATTEMPTS");
  } else if (const std::string* from_profile = property(config_profile, "max_attempts")) {
    cfg.max_attempts =
        parse_max_attempts(*from_profile, profile_origin("max_attempts", cfg.profile, config_path));
  }
  if (explicit_settings.retry_mode) {
    cfg.retry_mode = *explicit_settings.retry_mode;
  } else if (auto mode = non_empty(env, "AWS_RETRY_MODE")) {
    cfg.retry_mode = parse_retry_mode(*mode, "AWS_RETRY_MODE");
  } else if (const std::string* from_profile = property(config_profile, "retry_mode")) {
    cfg.retry_mode =
        parse_retry_mode(*from_profile, profile_origin("retry_mode", cfg.profile, config_path));
  }
  if (explicit_settings.ca_bundle) {
    cfg.ca_bundle = *explicit_settings.ca_bundle;
    if (!cfg.ca_bundle.empty()) check_ca_bundle(cfg.ca_bundle, "the ca_bundle setting");
  } else if (auto bundle = non_empty(env, "AWS_CA_BUNDLE")) {
    cfg.ca_bundle = expand_home(*bundle, home);
    check_ca_bundle(cfg.ca_bundle, "AWS_CA_BUNDLE");
  } else if (const std::string* from_profile = property(config_profile, "ca_bundle")) {
    cfg.ca_bundle = expand_home(*from_profile, home);
    check_ca_bundle(cfg.ca_bundle, profile_origin("ca_bundle", cfg.profile, config_path));
  }
  return cfg;
}

http::endpoint config::endpoint_for(std::string_view service) const {
  if (auto it = service_endpoint_urls.find(service); it != service_endpoint_urls.end())
    return parse_endpoint(it->second, service);
  if (!endpoint_url.empty()) return parse_endpoint(endpoint_url, service);
  if (region.empty())
    throw system_error{errc::missing_region,
                       "no AWS region for " + std::string{service} +
                           ": set AWS_REGION, or region in the profile of ~/.aws/config"};
  check_region(region);
  return parse_endpoint("https://" + std::string{service} + "." + region + ".amazonaws.com",
                        service);
}

s3_endpoint config::s3_endpoint_for(std::string_view bucket) const {
  if (bucket.empty()) throw system_error{errc::invalid_config, "empty S3 bucket name"};
  const bool configured = service_endpoint_urls.contains("s3") || !endpoint_url.empty();
  if (configured) return {.endpoint = endpoint_for("s3"), .path_style = true};
  if (s3_force_path_style || !is_virtual_host_bucket(bucket))
    return {.endpoint = endpoint_for("s3"), .path_style = true};
  if (region.empty())
    throw system_error{errc::missing_region,
                       "no AWS region for s3: set AWS_REGION, or region in the profile of "
                       "~/.aws/config"};
  check_region(region);
  return {.endpoint = parse_endpoint(
              "https://" + std::string{bucket} + ".s3." + region + ".amazonaws.com", "s3"),
          .path_style = false};
}

}  // namespace evstore::aws
