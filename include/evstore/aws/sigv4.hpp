#pragma once
// AWS Signature Version 4 for requests sent in the Authorization header. Pure logic: no I/O.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "evstore/aws/credentials.hpp"
#include "evstore/http/message.hpp"

namespace evstore::aws {

struct sigv4_options {
  /// S3 rules: the path is used as sent (no second encoding, no normalisation) and the
  /// x-amz-content-sha256 header is added.
  bool s3 = false;
  /// With s3: sign "UNSIGNED-PAYLOAD" instead of the body's hash.
  bool unsigned_payload = false;
};

class sigv4_signer_impl;

/// Signs requests for one region and service. Caches the derived signing key per day and
/// reuses its hashing contexts, so one signer serves many requests; not safe for concurrent use
/// from several threads.
class sigv4_signer {
 public:
  sigv4_signer(std::string region, std::string service, sigv4_options options = {});
  ~sigv4_signer();
  sigv4_signer(sigv4_signer&&) noexcept;
  sigv4_signer& operator=(sigv4_signer&&) noexcept;

  /// Adds Host (when absent), X-Amz-Date, X-Amz-Security-Token (temporary credentials),
  /// X-Amz-Content-Sha256 (S3) and Authorization to `req`. `req.target` is the path and query
  /// as sent on the wire; `host` is the Host header value (with the port when not the default).
  /// Signing again (a retry) replaces Authorization, X-Amz-Date and X-Amz-Security-Token. A
  /// request that already carries X-Amz-Content-Sha256 is signed with that value as the payload
  /// hash (a precomputed hash, or the one from an earlier signature of the same body). Hop-by-hop
  /// and client-set headers (User-Agent, Connection, Expect, ...) are left unsigned, as the SDKs
  /// do; so are headers the pool adds after signing (Content-Length when absent).
  /// Throws std::invalid_argument for credentials without an access key id or secret.
  void sign(http::request& req, std::string_view host, const credentials& creds,
            std::chrono::system_clock::time_point now);

 private:
  std::unique_ptr<sigv4_signer_impl> impl_;
};

}  // namespace evstore::aws
