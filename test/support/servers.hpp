#pragma once
// Where the integration tests find the local servers that scripts/emulators starts.

#include <cstdlib>
#include <string>

namespace evstore::test {

inline std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

/// DynamoDB Local.
inline std::string dynamodb_url() { return env_or("EVSTORE_TEST_DYNAMODB_URL", "http://127.0.0.1:8000"); }
/// fauxqs: S3 without authentication, path-style.
inline std::string s3_url() { return env_or("EVSTORE_TEST_S3_URL", "http://127.0.0.1:4566"); }
/// @20minutes/s3rver: S3 that verifies SigV4 (access key and secret "S3RVER").
inline std::string s3rver_url() { return env_or("EVSTORE_TEST_S3RVER_URL", "http://127.0.0.1:4570"); }
/// node_modules of the project's pinned Node packages (reference signer, TypeScript adapter).
inline std::string node_modules_dir() {
  return env_or("EVSTORE_NODE_MODULES", EVSTORE_SOURCE_DIR "/node/node_modules");
}

}  // namespace evstore::test
