#pragma once
// Error codes of the aws layer (configuration, credentials, retries). Failures are thrown as
// boost::system::system_error carrying one of these, with a message that says what failed and
// what to do; never a secret.

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace evstore::aws {

enum class errc {
  invalid_config = 1,       ///< a setting or a ~/.aws file is malformed or contradictory
  missing_region,           ///< no region given, in the environment or in the profile
  credentials_not_found,    ///< no provider of the chain had credentials
  credentials_unavailable,  ///< a configured provider failed (HTTP error, unreachable)
  malformed_credentials,    ///< a provider answered with something that is not credentials
};

const boost::system::error_category& aws_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), aws_category()};
}

}  // namespace evstore::aws

template <>
struct boost::system::is_error_code_enum<evstore::aws::errc> : std::true_type {};
