#pragma once
// S3 errors: the layer's error codes, the exception thrown for an S3 error response, and the
// parsing of error responses (XML body, or the status alone for bodiless HEAD responses).

#include <exception>
#include <string>
#include <string_view>
#include <type_traits>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/diagnostics.hpp"
#include "evstore/http/message.hpp"

namespace evstore::s3 {

enum class errc {
  malformed_xml = 1,    ///< a response body is not well-formed XML
  unexpected_response,  ///< a well-formed response lacks what the operation needs
  object_too_large,     ///< GetObject: the object is larger than the caller's limit
  service_error,        ///< S3 answered with an error response (see s3::service_error)
  invalid_argument,     ///< the caller's request cannot be expressed (e.g. part size < 5 MiB)
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// What an S3 error response says.
struct error_details {
  std::string code;        ///< e.g. "NoSuchKey"; derived from the status when there is no body
  std::string message;     ///< empty when the server gave none
  std::string request_id;  ///< from the body, else the x-amz-request-id header; may be empty
};

/// Reads an error response (status >= 300): the XML <Error> body when there is one, else a
/// code derived from the status (404 -> "NotFound", 403 -> "Forbidden", ...). Never throws on
/// a malformed body: the code then comes from the status and the message says the body was
/// unreadable.
error_details parse_error_response(const http::response& response);

/// The S3 error code of a non-2xx response: the aws::error_code_reader that the service
/// client's retry policy needs.
std::string error_code_of(const http::response& response);

/// Thrown for an S3 error response. code() is s3::errc::service_error; the accessors give the
/// details. what() names the operation, code, status, message and request id.
class service_error : public boost::system::system_error {
 public:
  service_error(std::string_view operation, unsigned status, error_details details, bool retryable);

  unsigned status() const noexcept { return status_; }
  /// S3's error code, e.g. "NoSuchBucket", "EntityTooSmall", "SignatureDoesNotMatch".
  const std::string& s3_code() const noexcept { return details_.code; }
  const std::string& s3_message() const noexcept { return details_.message; }
  const std::string& request_id() const noexcept { return details_.request_id; }
  /// Whether the AWS retry policy classed the error as retryable (it was, if thrown, retried
  /// as often as the policy allows).
  bool retryable() const noexcept { return retryable_; }

 private:
  unsigned status_;
  error_details details_;
  bool retryable_;
};

/// Thrown when a multipart upload fails after it was created: carries the failure (code() is
/// the cause's code; cause() rethrows it) and what became of the upload. The client aborts a
/// failed upload, so that S3 keeps none of its parts.
class multipart_upload_error : public boost::system::system_error {
 public:
  /// `abort_failure` is null when the abort succeeded.
  multipart_upload_error(std::string_view bucket, std::string_view key, std::string upload_id,
                         const boost::system::system_error& cause, std::exception_ptr cause_ptr,
                         std::exception_ptr abort_failure);

  const std::string& upload_id() const noexcept { return upload_id_; }
  /// True when AbortMultipartUpload succeeded: nothing of the upload is left behind.
  bool aborted() const noexcept { return !abort_failure_; }
  /// The S3 error code of the cause when it was an s3::service_error ("EntityTooSmall"),
  /// else empty.
  const std::string& s3_code() const noexcept { return s3_code_; }
  std::exception_ptr cause() const noexcept { return cause_; }
  std::exception_ptr abort_failure() const noexcept { return abort_failure_; }

 private:
  std::string upload_id_;
  std::string s3_code_;
  std::exception_ptr cause_;
  std::exception_ptr abort_failure_;
};

/// The error_code a token form reports for the exception an operation ended with: a
/// service_error's code (errc::service_error), with S3's code, message, request id and status
/// in `diagnostics` (when not null); a multipart_upload_error's code with its cause's S3 code;
/// any other failure as aws::diagnose.
boost::system::error_code diagnose(std::exception_ptr failure,
                                   aws::diagnostics* diagnostics) noexcept;

/// Throws s3::service_error for the error response `response` of `operation`, with the
/// retryable flag of the AWS retry policy's classification.
[[noreturn]] void throw_service_error(std::string_view operation, const http::response& response);

}  // namespace evstore::s3

template <>
struct boost::system::is_error_code_enum<evstore::s3::errc> : std::true_type {};
