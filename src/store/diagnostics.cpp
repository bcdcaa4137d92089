#include "evstore/store/diagnostics.hpp"

#include <boost/system/system_error.hpp>

#include "aws/spawn_operation.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/s3/error.hpp"
#include "evstore/store/errors.hpp"

namespace evstore {
namespace {

/// The service's message of the error response behind `failure` (itself, or nested in it).
std::string server_message_of(std::exception_ptr failure) {
  for (int depth = 0; failure && depth < 8; ++depth) {
    try {
      std::rethrow_exception(failure);
    } catch (const dynamodb::service_error& e) {
      return e.service_message();
    } catch (const s3::multipart_upload_error& e) {
      failure = e.cause();
      continue;
    } catch (const s3::service_error& e) {
      return e.s3_message();
    } catch (const std::exception& e) {
      failure = nullptr;
      try {
        std::rethrow_if_nested(e);
      } catch (...) {
        failure = std::current_exception();
      }
    } catch (...) {
      return {};
    }
  }
  return {};
}

}  // namespace

void diagnostics::clear() noexcept {
  *this = diagnostics{};
}

boost::system::error_code diagnostics::record(std::exception_ptr failure) noexcept {
  clear();
  boost::system::error_code code;
  // One rethrow for the code and the details; the cause's message only for failures that can
  // have one (a conflict or a duplicate id is the store's own finding).
  bool may_have_cause = true;
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const append_error& e) {
      code = e.code();
      message_ = e.what();
      written_events_ = e.written_events();
      resend_events_ = e.resend_events();
      in_doubt_ = e.in_doubt();
      if (const auto* conflict = dynamic_cast<const concurrency_error*>(&e)) {
        may_have_cause = false;
        stream_domain_ = conflict->domain();
        stream_identifier_ = conflict->identifier();
        expected_version_ = conflict->expected_version();
        actual_version_ = conflict->actual_version();
      }
      if (const auto* atomic = dynamic_cast<const atomic_conflict_error*>(&e))
        conflicts_ = atomic->conflicts();
      if (const auto* duplicate = dynamic_cast<const duplicate_event_error*>(&e)) {
        may_have_cause = false;
        duplicate_event_id_ = duplicate->event_id();
      }
    } catch (const boost::system::system_error& e) {
      code = e.code();
      message_ = e.what();
    } catch (const std::exception& e) {
      code = aws::detail::error_code_of(failure);
      message_ = e.what();
    } catch (...) {
      code = aws::detail::error_code_of(failure);
      message_ = code.message();
    }
    if (may_have_cause) server_message_ = server_message_of(failure);
  } catch (...) {
    // Out of memory while copying the details: the code alone still says what happened.
    if (!code) code = aws::detail::error_code_of(failure);
  }
  return code;
}

}  // namespace evstore
