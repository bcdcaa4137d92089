#include "evstore/s3/client.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "aws/spawn_operation.hpp"
#include "evstore/s3/error.hpp"
#include "s3/multipart_etag.hpp"
#include "s3/orphaned_uploads.hpp"
#include "s3/part_plan.hpp"
#include "s3/request_builder.hpp"
#include "s3/response_parser.hpp"

namespace evstore::s3 {

namespace asio = boost::asio;

namespace {

bool is_success(const http::response& response) {
  return response.status >= 200 && response.status < 300;
}

// Whether a CompleteMultipartUpload that failed may have been applied with its answer lost: the
// transport failed (reset, truncated body, timeout) or the answer was unreadable, or a resend
// met NoSuchUpload because an earlier send had completed the upload. Any other S3 error answer
// says the upload was not completed; a cancelled caller gets its cancellation.
bool completion_may_have_applied(const boost::system::system_error& failure) {
  if (const auto* refused = dynamic_cast<const service_error*>(&failure))
    return refused->s3_code() == "NoSuchUpload";
  return failure.code() != asio::error::operation_aborted;
}

// Where one bucket's requests go.
struct route {
  aws::service_client* service;
  request_builder builder;
  std::string bucket_target;  // "/<bucket>" path-style, "/" virtual-hosted
};

// The state the part-upload workers of one multipart upload share. Lives in the
// multipart_upload frame, which outlives every worker.
struct part_uploads {
  aws::service_client& service;
  const request_builder& builder;
  const std::string& key;
  const std::string& upload_id;
  std::span<const std::string_view> parts;
  std::vector<completed_part>& done;
  std::atomic<std::size_t> next{0};
};

}  // namespace

class client_impl {
 public:
  client_impl(asio::any_io_executor executor, aws::config config,
              std::shared_ptr<aws::credentials_provider> credentials, client_options options)
      : executor_(std::move(executor)),
        config_(std::move(config)),
        credentials_(std::move(credentials)),
        options_(std::move(options)) {
    options_.service.signing.s3 = true;
    if (options_.service.http.ca_file.empty()) options_.service.http.ca_file = config_.ca_bundle;
    choose_part_size(0, options_.part_size);  // validates it
    if (options_.max_concurrent_parts == 0)
      throw boost::system::system_error(make_error_code(errc::invalid_argument),
                                        "S3 max_concurrent_parts is 0: allow at least one part");
  }

  route route_for(std::string_view bucket) {
    check_bucket_name(bucket);
    aws::s3_endpoint where = config_.s3_endpoint_for(bucket);
    std::string id = (where.endpoint.tls ? "https://" : "http://") + where.endpoint.authority() +
                     where.endpoint.base_path;
    std::lock_guard lock(mutex_);
    std::unique_ptr<aws::service_client>& service = services_[id];
    if (!service) {
      service = std::make_unique<aws::service_client>(executor_, where.endpoint, config_.region,
                                                      "s3", credentials_, options_.service);
    }
    return {service.get(), request_builder(std::string(bucket), where.path_style),
            where.path_style ? "/" + std::string(bucket) : std::string("/")};
  }

  // Sends, and turns an error response other than `also_accepted` into s3::service_error.
  static asio::awaitable<http::response> send(aws::service_client& service, http::request req,
                                              std::string_view operation,
                                              unsigned also_accepted = 0) {
    http::response response = co_await service.send(std::move(req), error_code_of);
    if (!is_success(response) && response.status != also_accepted)
      throw_service_error(operation, response);
    co_return response;
  }

  static asio::awaitable<void> upload_parts_worker(part_uploads& job) {
    for (std::size_t i = job.next++; i < job.parts.size(); i = job.next++) {
      auto part_number = static_cast<unsigned>(i + 1);
      http::response response = co_await send(
          job.service,
          job.builder.upload_part(job.key, job.upload_id, part_number, std::string(job.parts[i])),
          "UploadPart");
      job.done[i] = {.part_number = part_number, .etag = parse_etag(response)};
    }
  }

  // Uploads every part, at most max_concurrent_parts at once. The first failure cancels the
  // parts in flight and is rethrown.
  asio::awaitable<std::vector<completed_part>> upload_all_parts(
      route& target, const std::string& key, const std::string& upload_id,
      std::span<const std::string_view> parts) {
    std::vector<completed_part> done(parts.size());
    part_uploads job{.service = *target.service,
                     .builder = target.builder,
                     .key = key,
                     .upload_id = upload_id,
                     .parts = parts,
                     .done = done};
    auto executor = co_await asio::this_coro::executor;
    std::size_t workers = std::min(options_.max_concurrent_parts, parts.size());
    using worker_op = decltype(asio::co_spawn(executor, upload_parts_worker(job), asio::deferred));
    std::vector<worker_op> ops;
    ops.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i)
      ops.push_back(asio::co_spawn(executor, upload_parts_worker(job), asio::deferred));
    auto [order, failures] =
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
    for (std::size_t index : order)
      if (failures[index]) std::rethrow_exception(failures[index]);
    co_return done;
  }

  asio::awaitable<put_result> upload_and_complete(route& target, const std::string& bucket,
                                                  const std::string& key,
                                                  const std::string& upload_id,
                                                  std::span<const std::string_view> parts) {
    std::vector<completed_part> done = co_await upload_all_parts(target, key, upload_id, parts);
    std::exception_ptr failure;
    std::string failure_text;
    try {
      http::response completed = co_await send(
          *target.service, target.builder.complete_multipart_upload(key, upload_id, done),
          "CompleteMultipartUpload");
      co_return put_result{.etag = parse_complete_multipart_upload(completed)};
    } catch (const boost::system::system_error& e) {
      if (!completion_may_have_applied(e)) throw;
      failure = std::current_exception();
      failure_text = e.what();
    }
    std::optional<std::string> etag =
        co_await etag_of_completed_object(target, bucket, key, parts, failure_text);
    if (!etag) std::rethrow_exception(failure);
    co_return put_result{.etag = std::move(*etag)};
  }

  // After a CompleteMultipartUpload whose answer may have been lost: the object's ETag when
  // HeadObject shows the object that `parts` make (same multipart ETag, computed from the bytes),
  // else nullopt (no object, another object, or HeadObject failed).
  asio::awaitable<std::optional<std::string>> etag_of_completed_object(
      route& target, const std::string& bucket, const std::string& key,
      std::span<const std::string_view> parts, const std::string& failure_text) {
    const std::string where = "S3 CompleteMultipartUpload of " + bucket + "/" + key;
    std::string expected;
    try {
      expected = multipart_etag(parts);
    } catch (const std::exception& e) {
      log(aws::log_level::warning,
          where + " failed (" + failure_text +
              "), and the ETag to recognise its object by is unknown: " + e.what());
      co_return std::nullopt;
    }
    std::optional<http::response> head;
    try {
      head = co_await send(*target.service, target.builder.head_object(key), "HeadObject", 404);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) throw;
      log(aws::log_level::warning, where + " failed (" + failure_text +
                                       "), and HeadObject, to see whether it was applied, "
                                       "failed too: " +
                                       e.what());
      co_return std::nullopt;
    }
    const std::string_view found =
        head->status == 404 ? std::string_view{} : http::find_header(head->headers, "ETag");
    if (!etag_matches(found, expected)) {
      log(aws::log_level::info,
          where + " failed (" + failure_text + "), and HeadObject shows " +
              (head->status == 404 ? std::string("no object")
                                   : "an object with ETag " + std::string(found)) +
              ", not the one these parts make (" + expected + ")");
      co_return std::nullopt;
    }
    log(aws::log_level::info, where + " failed (" + failure_text +
                                  "), but HeadObject shows the object these parts make (ETag " +
                                  expected + "): its answer was lost, the upload completed");
    co_return std::string(found);
  }

  // AbortMultipartUpload; NoSuchUpload (the answer to an earlier send was lost, or the upload was
  // completed) also means that nothing of the upload is left.
  static asio::awaitable<void> abort_upload(route& target, const std::string& key,
                                            const std::string& upload_id) {
    http::response response = co_await target.service->send(
        target.builder.abort_multipart_upload(key, upload_id), error_code_of);
    if (!is_success(response) && error_code_of(response) != "NoSuchUpload")
      throw_service_error("AbortMultipartUpload", response);
  }

  // After a CreateMultipartUpload that may have been resent: aborts the uploads of `key` that
  // an earlier send may have started (uploads_started_before). Best effort: a failure is
  // logged and leaves those uploads to the bucket's lifecycle rule.
  asio::awaitable<void> abort_uploads_started_before(route& target, const std::string& bucket,
                                                     const std::string& key,
                                                     const std::string& upload_id) {
    const std::string where = "S3 CreateMultipartUpload of " + bucket + "/" + key;
    std::vector<listed_upload> earlier;
    try {
      http::response listing =
          co_await send(*target.service, list_multipart_uploads_request(target.bucket_target, key),
                        "ListMultipartUploads");
      const std::vector<listed_upload> listed = parse_list_multipart_uploads(listing);
      earlier = uploads_started_before(listed, key, upload_id);
    } catch (const boost::system::system_error& e) {
      if (e.code() == asio::error::operation_aborted) throw;
      log(aws::log_level::warning,
          where +
              " may have been resent, and listing the key's uploads, to abort any an earlier "
              "send started, failed: " +
              e.what() +
              "; a lifecycle rule (AbortIncompleteMultipartUpload) removes such uploads");
      co_return;
    }
    for (const listed_upload& orphan : earlier) {
      try {
        co_await abort_upload(target, key, orphan.upload_id);
        log(aws::log_level::info, where + " was resent: aborted upload " + orphan.upload_id +
                                      " (initiated " + orphan.initiated +
                                      ") that an earlier send started");
      } catch (const boost::system::system_error& e) {
        if (e.code() == asio::error::operation_aborted) throw;
        log(aws::log_level::warning, where + " was resent, and aborting upload " +
                                         orphan.upload_id +
                                         " that an earlier send started failed: " + e.what());
      }
    }
  }

  void log(aws::log_level level, const std::string& message) const {
    if (options_.service.log) options_.service.log(level, message);
  }

  const client_options& options() const noexcept { return options_; }

  void close() {
    std::lock_guard lock(mutex_);
    for (const auto& [id, service] : services_) service->close();
  }

  const asio::any_io_executor& executor() const noexcept { return executor_; }
  const aws::config& config() const noexcept { return config_; }

 private:
  asio::any_io_executor executor_;
  aws::config config_;
  std::shared_ptr<aws::credentials_provider> credentials_;
  client_options options_;
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<aws::service_client>, std::less<>> services_;
};

client::client(asio::any_io_executor executor, aws::config config,
               std::shared_ptr<aws::credentials_provider> credentials, client_options options)
    : impl_(std::make_shared<client_impl>(std::move(executor), std::move(config),
                                          std::move(credentials), std::move(options))) {}

client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

const client_options& client::options() const noexcept {
  return impl_->options();
}

void client::close() {
  impl_->close();
}

asio::awaitable<bool> client::head_bucket(std::string bucket) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response =
      co_await client_impl::send(*target.service, target.builder.head_bucket(), "HeadBucket", 404);
  co_return response.status != 404;
}

asio::awaitable<bool> client::create_bucket(std::string bucket) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await target.service->send(
      target.builder.create_bucket(impl->config().region), error_code_of);
  if (is_success(response)) co_return true;
  if (error_code_of(response) == "BucketAlreadyOwnedByYou") co_return false;
  throw_service_error("CreateBucket", response);
}

asio::awaitable<void> client::delete_bucket(std::string bucket) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  co_await client_impl::send(*target.service, target.builder.delete_bucket(), "DeleteBucket");
}

asio::awaitable<put_result> client::put_object(std::string bucket, std::string key,
                                               std::string body) {
  return put_object(std::move(bucket), std::move(key), std::move(body), put_options{});
}

asio::awaitable<put_result> client::put_object(std::string bucket, std::string key,
                                               std::string body, put_options options) {
  auto impl = impl_;
  if (body.size() <= impl->options().multipart_threshold)
    co_return co_await put_object_single(std::move(bucket), std::move(key), std::move(body),
                                         std::move(options));
  std::uint64_t part_size = choose_part_size(body.size(), impl->options().part_size);
  co_return co_await multipart_upload(std::move(bucket), std::move(key),
                                      split_into_parts(body, part_size), std::move(options));
}

asio::awaitable<put_result> client::put_object_single(std::string bucket, std::string key,
                                                      std::string body) {
  return put_object_single(std::move(bucket), std::move(key), std::move(body), put_options{});
}

asio::awaitable<put_result> client::put_object_single(std::string bucket, std::string key,
                                                      std::string body, put_options options) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.put_object(key, std::move(body), options), "PutObject");
  co_return put_result{.etag = parse_etag(response)};
}

asio::awaitable<object> client::get_object(std::string bucket, std::string key,
                                           std::uint64_t max_size) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.get_object(key, max_size), "GetObject", 416);
  // S3 refuses any range of an empty object: ask for the whole (empty) object instead.
  if (response.status == 416)
    response =
        co_await client_impl::send(*target.service, target.builder.get_object(key), "GetObject");
  co_return parse_bounded_object(std::move(response), max_size);
}

asio::awaitable<std::optional<object_info>> client::head_object(std::string bucket,
                                                                std::string key) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.head_object(key), "HeadObject", 404);
  if (response.status == 404) co_return std::nullopt;
  co_return parse_object_info(response);
}

asio::awaitable<void> client::delete_object(std::string bucket, std::string key) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  co_await client_impl::send(*target.service, target.builder.delete_object(key), "DeleteObject");
}

asio::awaitable<std::vector<delete_failure>> client::delete_objects(std::string bucket,
                                                                    std::vector<std::string> keys) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  std::vector<delete_failure> failures;
  std::span<const std::string> remaining(keys);
  while (!remaining.empty()) {
    std::span<const std::string> batch =
        remaining.first(std::min(remaining.size(), max_keys_per_delete));
    remaining = remaining.subspan(batch.size());
    http::response response = co_await client_impl::send(
        *target.service, target.builder.delete_objects(batch), "DeleteObjects");
    for (delete_failure& failure : parse_delete_objects(response))
      failures.push_back(std::move(failure));
  }
  co_return failures;
}

asio::awaitable<list_page> client::list_objects_v2(std::string bucket, list_request request) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.list_objects_v2(request), "ListObjectsV2");
  co_return parse_list_objects_v2(response);
}

asio::awaitable<std::vector<object_summary>> client::list_all_objects(
    std::string bucket, std::string prefix, std::optional<unsigned> page_size) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  std::vector<object_summary> objects;
  list_request request;
  request.prefix = std::move(prefix);
  request.max_keys = page_size;
  for (;;) {
    http::response response = co_await client_impl::send(
        *target.service, target.builder.list_objects_v2(request), "ListObjectsV2");
    list_page page = parse_list_objects_v2(response);
    for (object_summary& summary : page.objects) objects.push_back(std::move(summary));
    if (!page.truncated) co_return objects;
    // A server that hands back the token it was given would page forever.
    if (page.next_continuation_token == request.continuation_token)
      throw boost::system::system_error(
          make_error_code(errc::unexpected_response),
          "S3 ListObjectsV2 returned the same continuation token twice for bucket " + bucket);
    request.continuation_token = std::move(page.next_continuation_token);
  }
}

asio::awaitable<std::string> client::create_multipart_upload(std::string bucket, std::string key) {
  return create_multipart_upload(std::move(bucket), std::move(key), put_options{});
}

asio::awaitable<std::string> client::create_multipart_upload(std::string bucket, std::string key,
                                                             put_options options) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.create_multipart_upload(key, options),
      "CreateMultipartUpload");
  co_return parse_create_multipart_upload(response);
}

asio::awaitable<completed_part> client::upload_part(std::string bucket, std::string key,
                                                    std::string upload_id, unsigned part_number,
                                                    std::string body) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.upload_part(key, upload_id, part_number, std::move(body)),
      "UploadPart");
  co_return completed_part{.part_number = part_number, .etag = parse_etag(response)};
}

asio::awaitable<put_result> client::complete_multipart_upload(std::string bucket, std::string key,
                                                              std::string upload_id,
                                                              std::vector<completed_part> parts) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  http::response response = co_await client_impl::send(
      *target.service, target.builder.complete_multipart_upload(key, upload_id, parts),
      "CompleteMultipartUpload");
  co_return put_result{.etag = parse_complete_multipart_upload(response)};
}

asio::awaitable<void> client::abort_multipart_upload(std::string bucket, std::string key,
                                                     std::string upload_id) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  co_await client_impl::send(*target.service, target.builder.abort_multipart_upload(key, upload_id),
                             "AbortMultipartUpload");
}

asio::awaitable<put_result> client::multipart_upload(std::string bucket, std::string key,
                                                     std::vector<std::string_view> parts) {
  return multipart_upload(std::move(bucket), std::move(key), std::move(parts), put_options{});
}

asio::awaitable<put_result> client::multipart_upload(std::string bucket, std::string key,
                                                     std::vector<std::string_view> parts,
                                                     put_options options) {
  auto impl = impl_;
  route target = impl->route_for(bucket);
  if (parts.empty() || parts.size() > max_part_count)
    throw boost::system::system_error(
        make_error_code(errc::invalid_argument),
        "S3 multipart upload takes 1 to 10000 parts, not " + std::to_string(parts.size()));
  const std::uint64_t retries_before = target.service->metrics().snapshot().retries;
  http::response created = co_await client_impl::send(
      *target.service, target.builder.create_multipart_upload(key, options),
      "CreateMultipartUpload");
  std::string upload_id = parse_create_multipart_upload(created);
  // The retry counter is shared with concurrent requests: a change means that this
  // CreateMultipartUpload may have been resent, leaving an upload whose id never reached us.
  const bool create_may_have_been_resent =
      target.service->metrics().snapshot().retries != retries_before;

  std::optional<put_result> result;
  std::exception_ptr failure;
  try {
    if (create_may_have_been_resent)
      co_await impl->abort_uploads_started_before(target, bucket, key, upload_id);
    result = co_await impl->upload_and_complete(target, bucket, key, upload_id, parts);
  } catch (...) {
    failure = std::current_exception();
  }
  if (result) co_return std::move(*result);

  // Abort even when the failure was a cancellation: a cancelled caller wants no parts left.
  co_await asio::this_coro::reset_cancellation_state();
  std::exception_ptr abort_failure;
  try {
    co_await client_impl::abort_upload(target, key, upload_id);
  } catch (...) {
    abort_failure = std::current_exception();
  }
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& cause) {
    throw multipart_upload_error(bucket, key, upload_id, cause, failure, abort_failure);
  }
}

client::executor_type client::get_executor() const noexcept {
  return impl_->executor();
}

template <class T>
void client::start(asio::awaitable<T> operation, aws::diagnostics* diagnostics,
                   aws::detail::completion_handler<T> handler) {
  if (diagnostics) diagnostics->clear();
  aws::detail::spawn_operation(
      impl_->executor(), std::move(operation), std::move(handler),
      [diagnostics](std::exception_ptr failure) { return s3::diagnose(failure, diagnostics); });
}

template void client::start(asio::awaitable<bool>, aws::diagnostics*,
                            aws::detail::completion_handler<bool>);
template void client::start(asio::awaitable<void>, aws::diagnostics*,
                            aws::detail::completion_handler<void>);
template void client::start(asio::awaitable<put_result>, aws::diagnostics*,
                            aws::detail::completion_handler<put_result>);
template void client::start(asio::awaitable<object>, aws::diagnostics*,
                            aws::detail::completion_handler<object>);
template void client::start(asio::awaitable<std::optional<object_info>>, aws::diagnostics*,
                            aws::detail::completion_handler<std::optional<object_info>>);
template void client::start(asio::awaitable<std::vector<delete_failure>>, aws::diagnostics*,
                            aws::detail::completion_handler<std::vector<delete_failure>>);
template void client::start(asio::awaitable<list_page>, aws::diagnostics*,
                            aws::detail::completion_handler<list_page>);
template void client::start(asio::awaitable<std::vector<object_summary>>, aws::diagnostics*,
                            aws::detail::completion_handler<std::vector<object_summary>>);
template void client::start(asio::awaitable<std::string>, aws::diagnostics*,
                            aws::detail::completion_handler<std::string>);
template void client::start(asio::awaitable<completed_part>, aws::diagnostics*,
                            aws::detail::completion_handler<completed_part>);

}  // namespace evstore::s3
