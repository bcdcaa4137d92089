#pragma once
// Builds the HTTP requests of the S3 operations for one bucket. Pure logic: no I/O, no signing.
//
// Targets are relative to the endpoint (the service client prefixes its base path):
// path-style "/<bucket>" and "/<bucket>/<key>", virtual-hosted "/" and "/<key>". Bucket-level
// paths have no trailing slash ("/bucket", not "/bucket/"): s3rver verifies signatures over the
// path without it. Keys are percent-encoded once (s3::encode_key); the S3 signer signs the path
// as sent.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "evstore/http/message.hpp"
#include "evstore/s3/model.hpp"

namespace evstore::s3 {

/// Throws system_error with s3::errc::invalid_argument when `bucket` is not a bucket name:
/// empty, or holding characters other than letters, digits, '.', '-' and '_'.
void check_bucket_name(std::string_view bucket);

class request_builder {
 public:
  /// `path_style` from aws::config::s3_endpoint_for. Checks the name (check_bucket_name).
  request_builder(std::string bucket, bool path_style);

  http::request head_bucket() const;
  /// With a CreateBucketConfiguration body naming `region`, except in us-east-1 (S3 rejects
  /// that location constraint there).
  http::request create_bucket(std::string_view region) const;
  http::request delete_bucket() const;

  /// Keys must not be empty (s3::errc::invalid_argument).
  http::request put_object(std::string_view key, std::string body,
                           const put_options& options) const;
  http::request get_object(std::string_view key) const;
  /// Asks for the first `max_size` + 1 bytes at most (Range), so the response shows whether
  /// the object is larger than `max_size` without transferring it.
  http::request get_object(std::string_view key, std::uint64_t max_size) const;
  http::request head_object(std::string_view key) const;
  http::request delete_object(std::string_view key) const;
  /// Quiet mode (only failures are listed), with the Content-MD5 S3 requires. 1 to
  /// max_keys_per_delete keys; keys holding characters XML cannot carry (controls other than
  /// tab, line feed, carriage return) are rejected with s3::errc::invalid_argument.
  http::request delete_objects(std::span<const std::string> keys) const;
  /// Asks for encoding-type=url, so that any key can be listed.
  http::request list_objects_v2(const list_request& request) const;

  http::request create_multipart_upload(std::string_view key, const put_options& options) const;
  /// `part_number` from 1 to max_part_count.
  http::request upload_part(std::string_view key, std::string_view upload_id, unsigned part_number,
                            std::string body) const;
  /// `parts` in ascending part number order, at least one.
  http::request complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                          std::span<const completed_part> parts) const;
  http::request abort_multipart_upload(std::string_view key, std::string_view upload_id) const;

 private:
  std::string bucket_target() const;
  std::string object_target(std::string_view key) const;

  std::string bucket_;
  bool path_style_;
};

}  // namespace evstore::s3
