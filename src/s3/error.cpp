#include "evstore/s3/error.hpp"

#include <string>
#include <utility>

#include "evstore/aws/retry_policy.hpp"
#include "s3/xml_reader.hpp"

namespace evstore::s3 {

namespace {

// Boost's error_category has a protected non-virtual destructor by design (categories are
// never deleted through a base pointer); Boost silences this warning the same way.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class s3_category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "evstore.s3"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::malformed_xml:
        return "S3 response is not well-formed XML";
      case errc::unexpected_response:
        return "S3 response lacks what the operation needs";
      case errc::object_too_large:
        return "S3 object is larger than the allowed size";
      case errc::service_error:
        return "S3 returned an error response";
      case errc::invalid_argument:
        return "S3 request argument is invalid";
    }
    return "unknown S3 error";
  }
};
#pragma GCC diagnostic pop

// What S3 clients conventionally call a bodiless error response.
std::string code_from_status(unsigned status) {
  switch (status) {
    case 301:
      return "PermanentRedirect";
    case 304:
      return "NotModified";
    case 307:
      return "TemporaryRedirect";
    case 400:
      return "BadRequest";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 500:
      return "InternalError";
    case 502:
      return "BadGateway";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "GatewayTimeout";
    default:
      return "Http" + std::to_string(status);
  }
}

// Server-supplied text goes into exception messages: keep it short.
std::string bounded(std::string_view text) {
  constexpr std::size_t limit = 512;
  return text.size() <= limit ? std::string(text) : std::string(text.substr(0, limit)) + "...";
}

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const s3_category category;
  return category;
}

error_details parse_error_response(const http::response& response) {
  error_details details;
  details.request_id = std::string(response.header("x-amz-request-id"));
  if (response.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    try {
      xml::element root = xml::parse(response.body);
      if (root.name == "Error") {
        details.code = bounded(root.text_or("Code"));
        details.message = bounded(root.text_or("Message"));
        if (const xml::element* id = root.find("RequestId")) details.request_id = bounded(id->text);
      } else {
        details.message = "error response body is <" + bounded(root.name) + ">, not <Error>";
      }
    } catch (const boost::system::system_error& e) {
      details.message = std::string("unreadable error response body (") + e.what() + ")";
    }
  }
  if (details.code.empty()) details.code = code_from_status(response.status);
  return details;
}

std::string error_code_of(const http::response& response) {
  return parse_error_response(response).code;
}

void throw_service_error(std::string_view operation, const http::response& response) {
  error_details details = parse_error_response(response);
  aws::retry_class what = aws::classify({.status = response.status,
                                         .error_code = details.code,
                                         .transport_error = false,
                                         .timed_out = false});
  bool retryable = what != aws::retry_class::success && what != aws::retry_class::not_retryable;
  throw service_error(operation, response.status, std::move(details), retryable);
}

service_error::service_error(std::string_view operation, unsigned status, error_details details,
                             bool retryable)
    : boost::system::system_error(
          make_error_code(errc::service_error),
          "S3 " + std::string(operation) + " failed with " + details.code + " (HTTP " +
              std::to_string(status) + ")" +
              (details.message.empty() ? std::string() : ": " + details.message) +
              (details.request_id.empty() ? std::string()
                                          : " [request id " + details.request_id + "]")),
      status_(status),
      details_(std::move(details)),
      retryable_(retryable) {}

namespace {

std::string describe(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace

multipart_upload_error::multipart_upload_error(std::string_view bucket, std::string_view key,
                                               std::string upload_id,
                                               const boost::system::system_error& cause,
                                               std::exception_ptr cause_ptr,
                                               std::exception_ptr abort_failure)
    : boost::system::system_error(
          cause.code(),
          "S3 multipart upload of \"" + std::string(key) + "\" to bucket " + std::string(bucket) +
              " (upload id " + upload_id + ") failed: " + cause.what() +
              (abort_failure ? "; aborting the upload failed too (" + describe(abort_failure) +
                                   "): abort it with AbortMultipartUpload, or let a lifecycle rule "
                                   "remove incomplete uploads"
                             : std::string("; the upload was aborted"))),
      upload_id_(std::move(upload_id)),
      cause_(std::move(cause_ptr)),
      abort_failure_(std::move(abort_failure)) {
  if (const auto* service = dynamic_cast<const service_error*>(&cause))
    s3_code_ = service->s3_code();
}

boost::system::error_code diagnose(std::exception_ptr failure,
                                   aws::diagnostics* diagnostics) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const service_error& e) {
    if (diagnostics) {
      try {
        diagnostics->error_code = e.s3_code();
        diagnostics->message = e.s3_message();
        diagnostics->request_id = e.request_id();
        diagnostics->http_status = e.status();
      } catch (...) {  // out of memory: the code alone
      }
    }
    return e.code();
  } catch (const multipart_upload_error& e) {
    // The cause's details, and the whole story (upload id, whether it was aborted) as message.
    if (diagnostics && e.cause()) {
      s3::diagnose(e.cause(), diagnostics);
      try {
        diagnostics->message = e.what();
      } catch (...) {
      }
    }
    return e.code();
  } catch (...) {
    return aws::diagnose(std::current_exception(), diagnostics);
  }
}

}  // namespace evstore::s3
