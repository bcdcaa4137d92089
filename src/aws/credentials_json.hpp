#pragma once
// The JSON document the container endpoint and EC2 instance metadata answer with:
// {"AccessKeyId": ..., "SecretAccessKey": ..., "Token": ..., "Expiration": "...Z"}.

#include <string_view>

#include "evstore/aws/credentials.hpp"

namespace evstore::aws {

/// Throws system_error with errc::malformed_credentials naming `source` and the missing or
/// wrong field (never a value) on anything else. An IMDS "Code" other than "Success" is an
/// error too.
credentials parse_credentials_json(std::string_view body, std::string_view source);

}  // namespace evstore::aws
