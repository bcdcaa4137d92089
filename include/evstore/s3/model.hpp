#pragma once
// The typed values of the S3 operations: what callers pass in and get back.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace evstore::s3 {

/// S3 rejects multipart parts smaller than this, except the last one.
inline constexpr std::uint64_t min_part_size = 5ull * 1024 * 1024;
inline constexpr std::uint64_t max_part_size = 5ull * 1024 * 1024 * 1024;
inline constexpr std::size_t max_part_count = 10000;
/// The largest object S3 stores (5 TiB), however it is uploaded.
inline constexpr std::uint64_t max_object_size = 5ull * 1024 * 1024 * 1024 * 1024;
/// DeleteObjects takes at most this many keys a request.
inline constexpr std::size_t max_keys_per_delete = 1000;

/// How an object is stored: PutObject and CreateMultipartUpload.
struct put_options {
  std::string content_type = "application/octet-stream";
  /// Canned ACL sent as x-amz-acl ("private", "bucket-owner-full-control", ...); none if empty.
  std::string acl;
};

/// What HeadObject and GetObject say about an object.
struct object_info {
  std::uint64_t size = 0;
  std::string content_type;
  std::string etag;           ///< as S3 sends it, quotes included
  std::string last_modified;  ///< HTTP date as S3 sends it
};

struct object {
  object_info info;
  std::string body;
};

struct put_result {
  std::string etag;  ///< for a multipart upload, S3's "<md5 of md5s>-<part count>"
};

/// One page request of ListObjectsV2.
struct list_request {
  std::string prefix;
  /// From the previous page's next_continuation_token; empty for the first page.
  std::string continuation_token;
  std::string start_after;
  /// Keys a page at most; S3's default (1000) when unset.
  std::optional<unsigned> max_keys;
};

struct object_summary {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  std::string last_modified;  ///< ISO 8601 as S3 sends it
  std::string storage_class;
};

struct list_page {
  std::vector<object_summary> objects;
  bool truncated = false;
  /// Where the next page starts; empty when !truncated.
  std::string next_continuation_token;
};

/// A key that DeleteObjects could not delete.
struct delete_failure {
  std::string key;
  std::string code;
  std::string message;
};

struct completed_part {
  unsigned part_number = 0;  ///< 1-based
  std::string etag;
};

}  // namespace evstore::s3
