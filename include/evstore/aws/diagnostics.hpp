#pragma once
// What a failed `async_*` operation reports beside its error_code: the service's own error code,
// its message and request id, filled without throwing. The error_code says what happened (and
// is what callers branch on); the diagnostics say it in the service's words, for logs and for
// AWS support.
//
//   aws::diagnostics diag;
//   auto [ec, got] = co_await ddb.async_get_item(request, diag, asio::as_tuple(asio::deferred));
//   if (ec) log(ec.message() + ": " + diag.message + " (request id " + diag.request_id + ")");
//
// An operation given one clears it when it starts and fills it when it fails; the caller keeps
// it alive, and reads it, only after the completion handler ran.

#include <exception>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>

namespace evstore::aws {

struct diagnostics {
  /// The service's error code ("ConditionalCheckFailedException", "NoSuchKey", "SlowDown");
  /// empty when the failure was not a service error response (transport, credentials,
  /// cancellation, a request refused before sending, a malformed response).
  std::string error_code{};
  /// The service's message for an error response; otherwise the failure's description (which
  /// names the endpoint and attempts made, never a secret). May be empty.
  std::string message{};
  /// The request id of the error response (x-amzn-RequestId, x-amz-request-id); empty when
  /// none arrived.
  std::string request_id{};
  /// HTTP status of the error response; 0 when none arrived.
  unsigned http_status = 0;
  /// A cancelled DynamoDB transaction (TransactionCanceledException): each action's reason
  /// code ("None", "ConditionalCheckFailed", "TransactionConflict", ...), in request order.
  std::vector<std::string> cancellation_reasons{};

  void clear() { *this = diagnostics{}; }
};

/// The code of the exception an operation ended with (a system_error's own code; see
/// detail::error_code_of for the others), with its description in `diagnostics->message` when
/// `diagnostics` is not null. The layers above handle their service errors first.
boost::system::error_code diagnose(std::exception_ptr failure, diagnostics* diagnostics) noexcept;

}  // namespace evstore::aws
