#pragma once
// DynamoDB errors: codes of this layer's category, and the exception a failed call throws.

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <vector>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/diagnostics.hpp"
#include "evstore/dynamodb/attribute_value.hpp"

namespace evstore::dynamodb {

enum class errc {
  // Client side: the response or a value did not have the expected shape.
  malformed_response = 1,   ///< a response body not of the structure or types expected
  crc32_mismatch,           ///< the body does not match its x-amz-crc32 header (retryable)
  invalid_attribute,        ///< a malformed AttributeValue (number text, base64, wire form)
  attribute_type_mismatch,  ///< an attribute read as a type it does not hold
  invalid_request,          ///< a request this client refuses to send (e.g. > 100 keys)
  waiter_timeout,           ///< a waiter's deadline passed before the table reached the state
  waiter_failed,            ///< the table reached a state from which the awaited one is unreachable
  // Service side: the `__type` after '#' of an error response.
  conditional_check_failed,
  transaction_canceled,
  transaction_conflict,
  transaction_in_progress,
  idempotent_parameter_mismatch,
  resource_not_found,
  resource_in_use,
  validation_error,
  throughput_exceeded,  ///< ProvisionedThroughputExceededException, ThrottlingException, ...
  limit_exceeded,
  item_collection_size_limit_exceeded,
  internal_server_error,
  access_denied,
  unrecognized_client,
  other_service_error,  ///< any other `__type`; service_error::code_name() has it
};

const boost::system::error_category& error_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

/// The errc for a DynamoDB error code name (the part of `__type` after '#').
errc errc_from_code_name(std::string_view code_name) noexcept;

/// Why one action of a cancelled TransactWriteItems failed (or "None" when it did not).
struct cancellation_reason {
  std::string code{};     ///< "None", "ConditionalCheckFailed", "TransactionConflict", ...
  std::string message{};  ///< empty when the service sent none
  /// The item, when the action asked for it (ReturnValuesOnConditionCheckFailure=ALL_OLD).
  std::optional<dynamodb::item> item{};
};

/// An error response of the DynamoDB service.
class service_error : public boost::system::system_error {
 public:
  service_error(std::string code_name, std::string message, unsigned http_status,
                std::string request_id, std::vector<cancellation_reason> reasons = {},
                std::optional<dynamodb::item> old_item = std::nullopt);

  /// The error code name, e.g. "ConditionalCheckFailedException".
  const std::string& code_name() const noexcept { return code_name_; }
  /// The service's message (from `message` or `Message`); may be empty.
  const std::string& service_message() const noexcept { return service_message_; }
  unsigned http_status() const noexcept { return http_status_; }
  /// The x-amzn-RequestId header; empty when absent.
  const std::string& request_id() const noexcept { return request_id_; }
  /// For TransactionCanceledException: one reason per action, in request order.
  const std::vector<cancellation_reason>& cancellation_reasons() const noexcept { return reasons_; }
  /// For ConditionalCheckFailedException: the item as stored, when the request asked for it
  /// (return_values_on_condition_check_failure::all_old).
  const std::optional<dynamodb::item>& old_item() const noexcept { return old_item_; }
  /// Whether sending the same request again may succeed (throttling, server errors, a
  /// transaction cancelled only by conflicts or throttling).
  bool retryable() const noexcept;

  /// "DynamoDB <code> (HTTP <status>, request id <id>): <message>".
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
  std::string code_name_;
  std::string service_message_;
  unsigned http_status_;
  std::string request_id_;
  std::vector<cancellation_reason> reasons_;
  std::optional<dynamodb::item> old_item_;
};

/// Whether a DynamoDB error code name is worth retrying as such.
bool is_retryable_code_name(std::string_view code_name) noexcept;

/// The error_code a token form reports for the exception an operation ended with: a
/// service_error's code, with its code name, message, request id, status and cancellation
/// reasons in `diagnostics` (when not null); any other failure as aws::diagnose.
boost::system::error_code diagnose(std::exception_ptr failure,
                                   aws::diagnostics* diagnostics) noexcept;
/// The same for an error response a token form got as a value (no exception raised).
boost::system::error_code diagnose(const service_error& error,
                                   aws::diagnostics* diagnostics) noexcept;

}  // namespace evstore::dynamodb

namespace boost::system {
template <>
struct is_error_code_enum<evstore::dynamodb::errc> : std::true_type {};
}  // namespace boost::system
