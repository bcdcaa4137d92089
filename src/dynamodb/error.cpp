#include "evstore/dynamodb/error.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace evstore::dynamodb {

namespace {

struct code_entry {
  std::string_view name;
  errc code;
};

constexpr std::array<code_entry, 17> service_codes{{
    {"ConditionalCheckFailedException", errc::conditional_check_failed},
    {"TransactionCanceledException", errc::transaction_canceled},
    {"TransactionConflictException", errc::transaction_conflict},
    {"TransactionInProgressException", errc::transaction_in_progress},
    {"IdempotentParameterMismatchException", errc::idempotent_parameter_mismatch},
    {"ResourceNotFoundException", errc::resource_not_found},
    {"ResourceInUseException", errc::resource_in_use},
    {"ValidationException", errc::validation_error},
    {"ProvisionedThroughputExceededException", errc::throughput_exceeded},
    {"ThrottlingException", errc::throughput_exceeded},
    {"RequestLimitExceeded", errc::throughput_exceeded},
    {"LimitExceededException", errc::limit_exceeded},
    {"ItemCollectionSizeLimitExceededException", errc::item_collection_size_limit_exceeded},
    {"InternalServerError", errc::internal_server_error},
    {"InternalFailure", errc::internal_server_error},
    {"AccessDeniedException", errc::access_denied},
    {"UnrecognizedClientException", errc::unrecognized_client},
}};

// boost::system::error_category has a protected non-virtual destructor by design: categories
// are never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "evstore.dynamodb"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::malformed_response:
        return "malformed DynamoDB response";
      case errc::crc32_mismatch:
        return "DynamoDB response body does not match its x-amz-crc32 checksum";
      case errc::invalid_attribute:
        return "invalid DynamoDB attribute value";
      case errc::attribute_type_mismatch:
        return "DynamoDB attribute of another type than expected";
      case errc::invalid_request:
        return "invalid DynamoDB request";
      case errc::waiter_timeout:
        return "timed out waiting for a DynamoDB table state";
      case errc::waiter_failed:
        return "a DynamoDB table cannot reach the state waited for";
      case errc::conditional_check_failed:
        return "DynamoDB condition check failed";
      case errc::transaction_canceled:
        return "DynamoDB transaction cancelled";
      case errc::transaction_conflict:
        return "DynamoDB transaction conflict";
      case errc::transaction_in_progress:
        return "DynamoDB transaction in progress";
      case errc::idempotent_parameter_mismatch:
        return "DynamoDB client request token reused with other parameters";
      case errc::resource_not_found:
        return "DynamoDB resource not found";
      case errc::resource_in_use:
        return "DynamoDB resource in use";
      case errc::validation_error:
        return "DynamoDB validation error";
      case errc::throughput_exceeded:
        return "DynamoDB throughput exceeded (throttled)";
      case errc::limit_exceeded:
        return "DynamoDB limit exceeded";
      case errc::item_collection_size_limit_exceeded:
        return "DynamoDB item collection size limit exceeded";
      case errc::internal_server_error:
        return "DynamoDB internal server error";
      case errc::access_denied:
        return "DynamoDB access denied";
      case errc::unrecognized_client:
        return "DynamoDB did not recognise the credentials";
      case errc::other_service_error:
        return "DynamoDB service error";
    }
    return "unknown evstore.dynamodb error";
  }
};
#pragma GCC diagnostic pop

std::string what_of(const std::string& code_name, const std::string& message, unsigned status,
                    const std::string& request_id) {
  std::string what = "DynamoDB ";
  what += code_name;
  what += " (HTTP ";
  what += std::to_string(status);
  if (!request_id.empty()) {
    what += ", request id ";
    what += request_id;
  }
  what += ')';
  if (!message.empty()) {
    what += ": ";
    what += message;
  }
  return what;
}

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

errc errc_from_code_name(std::string_view code_name) noexcept {
  const auto* it = std::find_if(service_codes.begin(), service_codes.end(),
                                [&](const code_entry& e) { return e.name == code_name; });
  return it != service_codes.end() ? it->code : errc::other_service_error;
}

bool is_retryable_code_name(std::string_view code_name) noexcept {
  switch (errc_from_code_name(code_name)) {
    case errc::throughput_exceeded:
    case errc::internal_server_error:
    case errc::transaction_conflict:
    case errc::transaction_in_progress:
    case errc::limit_exceeded:
      return true;
    default:
      return code_name == "ServiceUnavailable" || code_name == "RequestTimeout";
  }
}

service_error::service_error(std::string code_name, std::string message, unsigned http_status,
                             std::string request_id, std::vector<cancellation_reason> reasons,
                             std::optional<dynamodb::item> old_item)
    : boost::system::system_error(make_error_code(errc_from_code_name(code_name)),
                                  what_of(code_name, message, http_status, request_id)),
      what_(what_of(code_name, message, http_status, request_id)),
      code_name_(std::move(code_name)),
      service_message_(std::move(message)),
      http_status_(http_status),
      request_id_(std::move(request_id)),
      reasons_(std::move(reasons)),
      old_item_(std::move(old_item)) {}

bool service_error::retryable() const noexcept {
  if (code() == errc::transaction_canceled) {
    // Retrying helps only when every failed action failed for a transient reason.
    bool any_transient = false;
    for (const auto& r : reasons_) {
      if (r.code == "None") continue;
      if (r.code != "TransactionConflict" && r.code != "ThrottlingError" &&
          r.code != "ProvisionedThroughputExceeded") {
        return false;
      }
      any_transient = true;
    }
    return any_transient;
  }
  return http_status_ >= 500 || http_status_ == 429 || is_retryable_code_name(code_name_);
}

boost::system::error_code diagnose(const service_error& error,
                                   aws::diagnostics* diagnostics) noexcept {
  if (diagnostics) {
    try {
      diagnostics->error_code = error.code_name();
      diagnostics->message = error.service_message();
      diagnostics->request_id = error.request_id();
      diagnostics->http_status = error.http_status();
      for (const cancellation_reason& reason : error.cancellation_reasons())
        diagnostics->cancellation_reasons.push_back(reason.code);
    } catch (...) {  // out of memory: the code alone
    }
  }
  return error.code();
}

boost::system::error_code diagnose(std::exception_ptr failure,
                                   aws::diagnostics* diagnostics) noexcept {
  try {
    std::rethrow_exception(failure);
  } catch (const service_error& e) {
    return diagnose(e, diagnostics);
  } catch (...) {
    return aws::diagnose(std::current_exception(), diagnostics);
  }
}

}  // namespace evstore::dynamodb
