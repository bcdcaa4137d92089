#pragma once
// Region, credentials and endpoints: explicit settings first, then the standard environment
// (AWS_REGION, AWS_DEFAULT_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
// AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE, AWS_ENDPOINT_URL,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3, AWS_CONTAINER_CREDENTIALS_FULL_URI,
// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE],
// AWS_EC2_METADATA_SERVICE_ENDPOINT, AWS_EC2_METADATA_DISABLED, AWS_ROLE_ARN,
// AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME, AWS_ENDPOINT_URL_STS, AWS_MAX_ATTEMPTS,
// AWS_RETRY_MODE, AWS_CA_BUNDLE), then the profile in ~/.aws/credentials and ~/.aws/config.
//
//   auto cfg = evstore::aws::config::from_environment();
//   http::endpoint ddb = cfg.endpoint_for("dynamodb");
//   aws::s3_endpoint s3 = cfg.s3_endpoint_for("my-bucket");

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/aws/credentials.hpp"
#include "evstore/aws/environment.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/http/endpoint.hpp"

namespace evstore::aws {

/// Settings given in code; each one that is set wins over the environment and the files.
struct config_settings {
  std::optional<std::string> region{};
  std::optional<std::string> profile{};
  std::optional<aws::credentials> credentials{};
  /// Endpoint for every service, like AWS_ENDPOINT_URL.
  std::optional<std::string> endpoint_url{};
  /// Per service ("dynamodb", "s3", "sts"), like AWS_ENDPOINT_URL_<SERVICE>.
  std::map<std::string, std::string, std::less<>> service_endpoint_urls{};
  /// Address S3 buckets in the path even on AWS endpoints.
  std::optional<bool> s3_force_path_style{};
  /// Like AWS_MAX_ATTEMPTS (0: no count, evstore's own; see config::max_attempts).
  std::optional<unsigned> max_attempts{};
  /// Like AWS_RETRY_MODE.
  std::optional<aws::retry_mode> retry_mode{};
  /// Like AWS_CA_BUNDLE.
  std::optional<std::string> ca_bundle{};
};

struct container_credentials_settings {
  /// Full URL of the container credentials endpoint; empty when not configured. From
  /// AWS_CONTAINER_CREDENTIALS_FULL_URI, or http://169.254.170.2 + ..._RELATIVE_URI.
  std::string url{};
  /// Authorization header value (AWS_CONTAINER_AUTHORIZATION_TOKEN).
  std::string authorization_token{};
  /// File holding the Authorization header value, read at each fetch because it rotates
  /// (AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE); wins over authorization_token.
  std::string authorization_token_file{};
};

/// A role assumed with an OpenID Connect token from a file (EKS IAM roles for service
/// accounts): AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_SESSION_NAME, else the
/// profile's role_arn, web_identity_token_file and role_session_name.
struct web_identity_settings {
  std::string role_arn{};
  /// Read at each fetch: the orchestrator rotates the token in place.
  std::string token_file{};
  /// Empty: one is made up ("evstore-<milliseconds since 1970>").
  std::string role_session_name{};

  /// Either variable set: the source is meant to be used (and reports the other missing).
  bool configured() const noexcept { return !role_arn.empty() || !token_file.empty(); }
};

struct instance_metadata_settings {
  std::string endpoint = "http://169.254.169.254";
  bool disabled = false;
};

/// Where an S3 bucket is and how requests address it.
struct s3_endpoint {
  http::endpoint endpoint{};
  /// true: request paths are /<bucket>/<key>; false: /<key> on the bucket's own host.
  bool path_style = false;
};

struct config {
  std::string region;  ///< empty when none was found
  std::string profile = "default";
  /// Long-term or session credentials found in settings, environment or profile files;
  /// nullopt when the chain must look further (container, instance metadata).
  std::optional<aws::credentials> static_credentials;
  /// Where static_credentials came from, for messages: "explicit settings", "environment",
  /// "profile 'default' in /home/u/.aws/credentials".
  std::string static_credentials_origin;
  std::string endpoint_url;
  std::map<std::string, std::string, std::less<>> service_endpoint_urls;
  bool s3_force_path_style = false;
  container_credentials_settings container_credentials;
  instance_metadata_settings instance_metadata;
  web_identity_settings web_identity;
  /// Attempts of one request, the first included: AWS_MAX_ATTEMPTS, else the profile's
  /// max_attempts (a whole number from 0 to 1000; 0, which the AWS SDKs refuse, is evstore's
  /// "no count": retries are then bounded by time). nullopt when neither says; the user of the
  /// config (repo_options, the tool) has the default.
  std::optional<unsigned> max_attempts;
  /// AWS_RETRY_MODE, else the profile's retry_mode: standard or adaptive; legacy (the SDKs'
  /// older mode, which evstore does not have) is taken as standard. nullopt when neither says.
  std::optional<aws::retry_mode> retry_mode;
  /// PEM file of the CAs trusted for TLS instead of the system store: AWS_CA_BUNDLE, else the
  /// profile's ca_bundle ('~' expanded); empty when neither says. Checked to be readable.
  std::string ca_bundle;

  /// From the process environment and the profile files.
  static config from_environment(const config_settings& explicit_settings = {});
  /// From `env` (and the profile files it points at). Throws system_error with
  /// errc::invalid_config for a malformed profile file, a profile that AWS_PROFILE names but no
  /// file defines, half a key pair, or a max_attempts, retry_mode or ca_bundle that is not one
  /// (the message names the variable or the profile and file it came from).
  static config from_environment(const environment& env,
                                 const config_settings& explicit_settings = {});

  /// The service's endpoint: its configured URL, else https://<service>.<region>.amazonaws.com.
  /// Throws system_error: errc::missing_region when the default is needed without a region,
  /// errc::invalid_config for a malformed URL.
  http::endpoint endpoint_for(std::string_view service) const;

  /// A configured S3 endpoint is addressed path-style; the AWS one virtual-hosted
  /// (https://<bucket>.s3.<region>.amazonaws.com) unless the bucket name is not a valid host
  /// label (dots, uppercase) or s3_force_path_style is set.
  s3_endpoint s3_endpoint_for(std::string_view bucket) const;
};

}  // namespace evstore::aws
