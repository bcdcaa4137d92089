#pragma once
// STS AssumeRoleWithWebIdentity over the Query protocol: the form body sent (unsigned: the web
// identity token is the proof) and the XML answers read back. Pure.

#include <optional>
#include <string>
#include <string_view>

#include "evstore/aws/credentials.hpp"

namespace evstore::aws {

struct assume_role_with_web_identity_request {
  std::string role_arn;
  std::string role_session_name;
  std::string web_identity_token;  ///< a secret: never logged, never in an error
};

/// "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=...&RoleSessionName=...&
/// WebIdentityToken=...", values percent-encoded (application/x-www-form-urlencoded).
std::string to_form_body(const assume_role_with_web_identity_request& request);

/// The Credentials of an AssumeRoleWithWebIdentityResponse. Throws system_error with
/// errc::malformed_credentials naming `source` and what is missing or wrong (never a value).
credentials parse_assume_role_with_web_identity_response(std::string_view xml,
                                                         std::string_view source);

/// An STS ErrorResponse's Error.
struct sts_error {
  std::string code;     ///< "InvalidIdentityToken", "AccessDenied", "ExpiredTokenException"
  std::string message;  ///< STS's explanation (may be empty)
};

/// The Error of an STS ErrorResponse; nullopt when `xml` is not one.
std::optional<sts_error> parse_sts_error(std::string_view xml);

/// True for the STS error codes worth another attempt (throttling, the identity provider
/// unreachable from STS, STS itself failing).
bool is_retryable_sts_error(std::string_view code) noexcept;

}  // namespace evstore::aws
