#pragma once
// The S3 operations the event store needs, as awaitables over the AWS service client (which
// signs, pools connections and retries).
//
//   auto cfg = aws::config::from_environment();
//   s3::client s3{ex, cfg, aws::make_default_credentials_provider(ex, cfg)};
//   co_await s3.create_bucket("my-archive");
//   co_await s3.put_object("my-archive", "streams/a/1", std::move(payload));  // multipart if big
//   s3::object o = co_await s3.get_object("my-archive", "streams/a/1", 64 << 20);
//
//   s3.async_get_object("my-archive", "streams/a/1", 64 << 20,
//                       [](boost::system::error_code ec, s3::object o) { ... });  // no throw
//
// Addressing follows the configuration (aws::config::s3_endpoint_for): a configured endpoint
// is addressed path-style (http://127.0.0.1:4566/bucket/key), AWS virtual-hosted
// (https://bucket.s3.region.amazonaws.com/key). Errors: an S3 error response throws
// s3::service_error; a failed multipart upload throws s3::multipart_upload_error after aborting
// the upload; transport and credential failures come from the service client.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/detail/completion_handler.hpp"
#include "evstore/aws/diagnostics.hpp"
#include "evstore/aws/service_client.hpp"
#include "evstore/s3/model.hpp"

namespace evstore::s3 {

struct client_options {
  /// Signing, connection pool and retries; signing.s3 is always set. An empty http.ca_file
  /// takes the config's ca_bundle (AWS_CA_BUNDLE).
  aws::service_client_options service;
  /// put_object sends bodies larger than this as a multipart upload.
  std::uint64_t multipart_threshold = 16 * 1024 * 1024;
  /// Part size of multipart uploads: min_part_size to max_part_size; grown when a body would
  /// need more than max_part_count parts.
  std::uint64_t part_size = 8 * 1024 * 1024;
  /// Parts of one upload in flight at once (at least 1).
  std::size_t max_concurrent_parts = 4;
};

class client_impl;

/// Thread-safe: operations may run concurrently. Keeps one service client (connection pool)
/// per endpoint: one for all buckets of a path-style endpoint, one per bucket when
/// virtual-hosted. Operations take their arguments by value, so they stay valid while the
/// operation runs; multipart_upload's parts are views the caller keeps alive until it returns.
class client {
 public:
  using executor_type = boost::asio::any_io_executor;

  /// Throws system_error with s3::errc::invalid_argument for options out of range.
  client(boost::asio::any_io_executor executor, aws::config config,
         std::shared_ptr<aws::credentials_provider> credentials, client_options options = {});
  ~client();
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;

  /// HeadBucket: true when the bucket exists and is reachable, false on 404; other errors
  /// (403 Forbidden, 301 wrong region) throw.
  boost::asio::awaitable<bool> head_bucket(std::string bucket);
  /// CreateBucket in the configured region (with a LocationConstraint outside us-east-1):
  /// true when created, false when the caller already owns it (BucketAlreadyOwnedByYou).
  boost::asio::awaitable<bool> create_bucket(std::string bucket);
  /// DeleteBucket; the bucket must be empty.
  boost::asio::awaitable<void> delete_bucket(std::string bucket);

  /// Stores `body`: one PutObject up to multipart_threshold, a multipart upload above it.
  boost::asio::awaitable<put_result> put_object(std::string bucket, std::string key,
                                                std::string body);
  boost::asio::awaitable<put_result> put_object(std::string bucket, std::string key,
                                                std::string body, put_options options);
  /// PutObject in one request, whatever the size (S3 takes up to 5 GiB).
  boost::asio::awaitable<put_result> put_object_single(std::string bucket, std::string key,
                                                       std::string body);
  boost::asio::awaitable<put_result> put_object_single(std::string bucket, std::string key,
                                                       std::string body, put_options options);
  /// GetObject into memory, transferring at most `max_size` + 1 bytes: an object larger than
  /// `max_size` throws system_error with s3::errc::object_too_large. A missing key throws
  /// s3::service_error with s3_code() "NoSuchKey". `max_size` must stay below the connection
  /// pool's max_response_body.
  boost::asio::awaitable<object> get_object(std::string bucket, std::string key,
                                            std::uint64_t max_size);
  /// HeadObject: nullopt when there is no such key.
  boost::asio::awaitable<std::optional<object_info>> head_object(std::string bucket,
                                                                 std::string key);
  /// DeleteObject (succeeds for a missing key too, as S3 does).
  boost::asio::awaitable<void> delete_object(std::string bucket, std::string key);
  /// DeleteObjects in batches of max_keys_per_delete: the keys S3 could not delete (none when
  /// all were deleted).
  boost::asio::awaitable<std::vector<delete_failure>> delete_objects(std::string bucket,
                                                                     std::vector<std::string> keys);
  /// One page of ListObjectsV2.
  boost::asio::awaitable<list_page> list_objects_v2(std::string bucket, list_request request);
  /// Every object under `prefix`, following continuation tokens page after page.
  boost::asio::awaitable<std::vector<object_summary>> list_all_objects(
      std::string bucket, std::string prefix, std::optional<unsigned> page_size = {});

  /// The steps of a multipart upload, for callers that drive one themselves.
  boost::asio::awaitable<std::string> create_multipart_upload(std::string bucket, std::string key);
  boost::asio::awaitable<std::string> create_multipart_upload(std::string bucket, std::string key,
                                                              put_options options);
  boost::asio::awaitable<completed_part> upload_part(std::string bucket, std::string key,
                                                     std::string upload_id, unsigned part_number,
                                                     std::string body);
  boost::asio::awaitable<put_result> complete_multipart_upload(std::string bucket, std::string key,
                                                               std::string upload_id,
                                                               std::vector<completed_part> parts);
  boost::asio::awaitable<void> abort_multipart_upload(std::string bucket, std::string key,
                                                      std::string upload_id);

  /// A whole multipart upload of `parts` (as given: each but the last must be at least
  /// min_part_size, or S3 refuses to complete with EntityTooSmall): creates the upload,
  /// uploads up to max_concurrent_parts parts at once, completes it. A completion whose answer
  /// was lost (NoSuchUpload on the resend, a dropped or unreadable answer) counts when HeadObject
  /// shows the object with the multipart ETag of these parts. When CreateMultipartUpload had to
  /// be resent, earlier uploads of exactly this key (the orphan of the lost answer) are listed
  /// and aborted. On any other failure, including cancellation, it aborts the upload and throws
  /// s3::multipart_upload_error.
  boost::asio::awaitable<put_result> multipart_upload(std::string bucket, std::string key,
                                                      std::vector<std::string_view> parts);
  boost::asio::awaitable<put_result> multipart_upload(std::string bucket, std::string key,
                                                      std::vector<std::string_view> parts,
                                                      put_options options);

  const client_options& options() const noexcept;

  /// Closes the idle connections of every endpoint's pool now, busy ones when their request
  /// ends (aws::service_client::close).
  void close();

  /// The executor the client runs its work on (as given to the constructor).
  executor_type get_executor() const noexcept;

  // The token forms: each operation above as `async_<name>(arguments..., token)`, completing
  // with void(boost::system::error_code, <result>) (void(error_code) for those returning
  // nothing) instead of throwing; an operation with a defaulted argument has an overload with
  // it and one without. An S3 error response is errc::service_error (S3's own code, "NoSuchKey",
  // in the diagnostics); a failed multipart upload its cause's code; other failures the codes
  // the awaitable forms throw (errc::object_too_large, http::errc, aws::errc, Asio's). The
  // overloads taking aws::diagnostics fill it with S3's code, message, request id and status.
  // The work runs on get_executor(); the handler on its associated executor (default: the
  // client's). A terminal cancellation through the token's cancellation slot ends the
  // operation with asio::error::operation_aborted (multipart_upload aborts the upload first).
  // The client, and multipart_upload's parts, must outlive the operation.
  template <class CompletionToken>
  auto async_head_bucket(std::string bucket, CompletionToken&& token) {
    return async_run(head_bucket(std::move(bucket)), nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_head_bucket(std::string bucket, aws::diagnostics& diagnostics,
                         CompletionToken&& token) {
    return async_run(head_bucket(std::move(bucket)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_create_bucket(std::string bucket, CompletionToken&& token) {
    return async_run(create_bucket(std::move(bucket)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_create_bucket(std::string bucket, aws::diagnostics& diagnostics,
                           CompletionToken&& token) {
    return async_run(create_bucket(std::move(bucket)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_bucket(std::string bucket, CompletionToken&& token) {
    return async_run(delete_bucket(std::move(bucket)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_bucket(std::string bucket, aws::diagnostics& diagnostics,
                           CompletionToken&& token) {
    return async_run(delete_bucket(std::move(bucket)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object(std::string bucket, std::string key, std::string body,
                        CompletionToken&& token) {
    return async_run(put_object(std::move(bucket), std::move(key), std::move(body), put_options{}),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object(std::string bucket, std::string key, std::string body,
                        const put_options& options, CompletionToken&& token) {
    return async_run(put_object(std::move(bucket), std::move(key), std::move(body), options),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object(std::string bucket, std::string key, std::string body,
                        const put_options& options, aws::diagnostics& diagnostics,
                        CompletionToken&& token) {
    return async_run(put_object(std::move(bucket), std::move(key), std::move(body), options),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object_single(std::string bucket, std::string key, std::string body,
                               CompletionToken&& token) {
    return async_run(
        put_object_single(std::move(bucket), std::move(key), std::move(body), put_options{}),
        nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object_single(std::string bucket, std::string key, std::string body,
                               const put_options& options, CompletionToken&& token) {
    return async_run(put_object_single(std::move(bucket), std::move(key), std::move(body), options),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_object_single(std::string bucket, std::string key, std::string body,
                               const put_options& options, aws::diagnostics& diagnostics,
                               CompletionToken&& token) {
    return async_run(put_object_single(std::move(bucket), std::move(key), std::move(body), options),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_get_object(std::string bucket, std::string key, std::uint64_t max_size,
                        CompletionToken&& token) {
    return async_run(get_object(std::move(bucket), std::move(key), max_size), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_get_object(std::string bucket, std::string key, std::uint64_t max_size,
                        aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(get_object(std::move(bucket), std::move(key), max_size), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_head_object(std::string bucket, std::string key, CompletionToken&& token) {
    return async_run(head_object(std::move(bucket), std::move(key)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_head_object(std::string bucket, std::string key, aws::diagnostics& diagnostics,
                         CompletionToken&& token) {
    return async_run(head_object(std::move(bucket), std::move(key)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_object(std::string bucket, std::string key, CompletionToken&& token) {
    return async_run(delete_object(std::move(bucket), std::move(key)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_object(std::string bucket, std::string key, aws::diagnostics& diagnostics,
                           CompletionToken&& token) {
    return async_run(delete_object(std::move(bucket), std::move(key)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_objects(std::string bucket, std::vector<std::string> keys,
                            CompletionToken&& token) {
    return async_run(delete_objects(std::move(bucket), std::move(keys)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_objects(std::string bucket, std::vector<std::string> keys,
                            aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(delete_objects(std::move(bucket), std::move(keys)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_list_objects_v2(std::string bucket, list_request request, CompletionToken&& token) {
    return async_run(list_objects_v2(std::move(bucket), std::move(request)), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_list_objects_v2(std::string bucket, list_request request,
                             aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(list_objects_v2(std::move(bucket), std::move(request)), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_list_all_objects(std::string bucket, std::string prefix, CompletionToken&& token) {
    return async_run(list_all_objects(std::move(bucket), std::move(prefix), std::nullopt), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_list_all_objects(std::string bucket, std::string prefix,
                              std::optional<unsigned> page_size, CompletionToken&& token) {
    return async_run(list_all_objects(std::move(bucket), std::move(prefix), page_size), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_list_all_objects(std::string bucket, std::string prefix,
                              std::optional<unsigned> page_size, aws::diagnostics& diagnostics,
                              CompletionToken&& token) {
    return async_run(list_all_objects(std::move(bucket), std::move(prefix), page_size),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_create_multipart_upload(std::string bucket, std::string key, CompletionToken&& token) {
    return async_run(create_multipart_upload(std::move(bucket), std::move(key), put_options{}),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_create_multipart_upload(std::string bucket, std::string key,
                                     const put_options& options, CompletionToken&& token) {
    return async_run(create_multipart_upload(std::move(bucket), std::move(key), options), nullptr,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_create_multipart_upload(std::string bucket, std::string key,
                                     const put_options& options, aws::diagnostics& diagnostics,
                                     CompletionToken&& token) {
    return async_run(create_multipart_upload(std::move(bucket), std::move(key), options),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_upload_part(std::string bucket, std::string key, std::string upload_id,
                         unsigned part_number, std::string body, CompletionToken&& token) {
    return async_run(upload_part(std::move(bucket), std::move(key), std::move(upload_id),
                                 part_number, std::move(body)),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_upload_part(std::string bucket, std::string key, std::string upload_id,
                         unsigned part_number, std::string body, aws::diagnostics& diagnostics,
                         CompletionToken&& token) {
    return async_run(upload_part(std::move(bucket), std::move(key), std::move(upload_id),
                                 part_number, std::move(body)),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_complete_multipart_upload(std::string bucket, std::string key, std::string upload_id,
                                       std::vector<completed_part> parts, CompletionToken&& token) {
    return async_run(complete_multipart_upload(std::move(bucket), std::move(key),
                                               std::move(upload_id), std::move(parts)),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_complete_multipart_upload(std::string bucket, std::string key, std::string upload_id,
                                       std::vector<completed_part> parts,
                                       aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(complete_multipart_upload(std::move(bucket), std::move(key),
                                               std::move(upload_id), std::move(parts)),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_abort_multipart_upload(std::string bucket, std::string key, std::string upload_id,
                                    CompletionToken&& token) {
    return async_run(
        abort_multipart_upload(std::move(bucket), std::move(key), std::move(upload_id)), nullptr,
        std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_abort_multipart_upload(std::string bucket, std::string key, std::string upload_id,
                                    aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(
        abort_multipart_upload(std::move(bucket), std::move(key), std::move(upload_id)),
        &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_multipart_upload(std::string bucket, std::string key,
                              std::vector<std::string_view> parts, CompletionToken&& token) {
    return async_run(
        multipart_upload(std::move(bucket), std::move(key), std::move(parts), put_options{}),
        nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_multipart_upload(std::string bucket, std::string key,
                              std::vector<std::string_view> parts, const put_options& options,
                              CompletionToken&& token) {
    return async_run(multipart_upload(std::move(bucket), std::move(key), std::move(parts), options),
                     nullptr, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_multipart_upload(std::string bucket, std::string key,
                              std::vector<std::string_view> parts, const put_options& options,
                              aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(multipart_upload(std::move(bucket), std::move(key), std::move(parts), options),
                     &diagnostics, std::forward<CompletionToken>(token));
  }

 private:
  template <class T, class CompletionToken>
  auto async_run(boost::asio::awaitable<T> operation, aws::diagnostics* diagnostics,
                 CompletionToken&& token) {
    return aws::detail::initiate_operation<T>(
        std::forward<CompletionToken>(token),
        [this](aws::detail::completion_handler<T> handler, boost::asio::awaitable<T> started,
               aws::diagnostics* where) { start(std::move(started), where, std::move(handler)); },
        std::move(operation), diagnostics);
  }
  // Compiled once per result type (src/s3/client.cpp).
  template <class T>
  void start(boost::asio::awaitable<T> operation, aws::diagnostics* diagnostics,
             aws::detail::completion_handler<T> handler);

  std::shared_ptr<client_impl> impl_;
};

}  // namespace evstore::s3
