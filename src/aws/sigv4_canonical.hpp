#pragma once
// The pure steps of SigV4: canonical request and string to sign. Separate from the signer so
// tests can compare each step with the published test suite.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/http/message.hpp"

namespace evstore::aws::detail {

/// True for headers that SigV4 leaves unsigned: Authorization itself, and headers that clients,
/// proxies or connection handling add or change in transit (the AWS SDKs skip the same set).
/// `name` must be lowercase.
bool is_unsigned_header(std::string_view name) noexcept;

/// Builds canonical requests in buffers it keeps, so that after the first few requests it
/// allocates nothing.
class canonical_request_builder {
 public:
  /// The canonical request of `req`, whose target is the path and query as sent on the wire.
  /// With `s3`, the path is used as sent; otherwise its `.`, `..` and empty segments are
  /// removed and it is percent-encoded again. Query names and values are percent-decoded, then
  /// encoded with the unreserved set and sorted; a `%` not followed by two hex digits counts
  /// as a literal `%`. The view is valid until the next call.
  std::string_view build(const http::request& req, std::string_view payload_hash, bool s3);

  /// The `;`-separated signed header names of the last build.
  std::string_view signed_headers() const noexcept { return signed_headers_; }

 private:
  struct header_ref {
    std::size_t name_offset;  // in names_
    std::size_t name_size;
    std::size_t order;  // position in the request, so duplicates keep their order
    std::string_view value;
  };
  struct param_ref {
    std::size_t offset;  // in params_text_: encoded name, then encoded value
    std::size_t name_size;
    std::size_t value_size;
  };

  void append_path(std::string_view path, bool s3);
  void append_query(std::string_view query);
  void append_headers(const http::header_list& headers);

  std::string out_;
  std::string signed_headers_;
  std::string names_;
  std::string params_text_;
  std::vector<header_ref> headers_;
  std::vector<param_ref> params_;
  std::vector<std::string_view> segments_;
};

/// Appends the SigV4 string to sign.
void append_string_to_sign(std::string& out, std::string_view amz_date,
                           std::string_view credential_scope,
                           std::string_view canonical_request_sha256_hex);

}  // namespace evstore::aws::detail
