#pragma once
// AWS credentials. The secret and the token are never printed: this type has no stream
// operator, and errors name only the access key id's provider.

#include <chrono>
#include <optional>
#include <string>

namespace evstore::aws {

struct credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  ///< empty for long-term credentials
  /// When temporary credentials stop working; nullopt for long-term ones.
  std::optional<std::chrono::system_clock::time_point> expiration;
};

}  // namespace evstore::aws
