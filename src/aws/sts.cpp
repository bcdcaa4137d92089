#include "aws/sts.hpp"

#include <stdexcept>

#include <boost/system/system_error.hpp>

#include "aws/timestamp.hpp"
#include "aws/xml_leaves.hpp"
#include "evstore/aws/error.hpp"
#include "http/percent_encoding.hpp"

namespace evstore::aws {

namespace {

using boost::system::system_error;

constexpr std::string_view credentials_path =
    "AssumeRoleWithWebIdentityResponse/AssumeRoleWithWebIdentityResult/Credentials/";

[[noreturn]] void malformed(std::string_view source, const std::string& what) {
  throw system_error{errc::malformed_credentials,
                     std::string{source} + " answered no usable credentials: " + what};
}

const std::string& required(const xml_leaves& leaves, std::string_view field,
                            std::string_view source) {
  const auto it = leaves.find(std::string{credentials_path} + std::string{field});
  if (it == leaves.end() || it->second.empty())
    malformed(source, "Credentials/" + std::string{field} + " is missing or empty");
  return it->second;
}

}  // namespace

std::string to_form_body(const assume_role_with_web_identity_request& request) {
  std::string body = "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=";
  http::append_percent_encoded(body, request.role_arn);
  body += "&RoleSessionName=";
  http::append_percent_encoded(body, request.role_session_name);
  body += "&WebIdentityToken=";
  http::append_percent_encoded(body, request.web_identity_token);
  return body;
}

credentials parse_assume_role_with_web_identity_response(std::string_view xml,
                                                         std::string_view source) {
  xml_leaves leaves;
  try {
    leaves = read_xml_leaves(xml);
  } catch (const std::invalid_argument& e) {
    malformed(source, e.what());
  }
  credentials creds;
  creds.access_key_id = required(leaves, "AccessKeyId", source);
  creds.secret_access_key = required(leaves, "SecretAccessKey", source);
  creds.session_token = required(leaves, "SessionToken", source);
  creds.expiration = parse_iso8601(required(leaves, "Expiration", source));
  if (!creds.expiration) malformed(source, "Credentials/Expiration is not an ISO 8601 time");
  return creds;
}

std::optional<sts_error> parse_sts_error(std::string_view xml) {
  xml_leaves leaves;
  try {
    leaves = read_xml_leaves(xml);
  } catch (const std::invalid_argument&) {
    return std::nullopt;
  }
  const auto code = leaves.find("ErrorResponse/Error/Code");
  if (code == leaves.end() || code->second.empty()) return std::nullopt;
  sts_error error;
  error.code = code->second;
  if (const auto message = leaves.find("ErrorResponse/Error/Message"); message != leaves.end())
    error.message = message->second;
  return error;
}

bool is_retryable_sts_error(std::string_view code) noexcept {
  return code == "Throttling" || code == "ThrottlingException" || code == "RequestLimitExceeded" ||
         code == "IDPCommunicationError" || code == "InternalFailure" ||
         code == "ServiceUnavailable";
}

}  // namespace evstore::aws
