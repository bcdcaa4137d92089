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

bool diagnostics::fill(const append_error& failure) {
  message_ = failure.what();
  written_events_ = failure.written_events();
  resend_events_ = failure.resend_events();
  in_doubt_ = failure.in_doubt();
  if (const auto* conflict = dynamic_cast<const concurrency_error*>(&failure)) {
    stream_domain_ = conflict->domain();
    stream_identifier_ = conflict->identifier();
    expected_version_ = conflict->expected_version();
    actual_version_ = conflict->actual_version();
  }
  if (const auto* atomic = dynamic_cast<const atomic_conflict_error*>(&failure))
    conflicts_ = atomic->conflicts();
  if (const auto* duplicate = dynamic_cast<const duplicate_event_error*>(&failure))
    duplicate_event_id_ = duplicate->event_id();
  // A conflict or a duplicate id is the store's own finding.
  return !dynamic_cast<const concurrency_error*>(&failure) &&
         !dynamic_cast<const duplicate_event_error*>(&failure);
}

boost::system::error_code diagnostics::record(const append_error& failure) noexcept {
  clear();
  try {
    fill(failure);
  } catch (...) {
    // Out of memory while copying the details: the code alone still says what happened.
  }
  return failure.code();
}

boost::system::error_code diagnostics::record(std::exception_ptr failure) noexcept {
  clear();
  boost::system::error_code code;
  // One rethrow for the code and the details; the cause's message only for failures that can
  // have one.
  bool may_have_cause = true;
  try {
    try {
      std::rethrow_exception(failure);
    } catch (const append_error& e) {
      code = e.code();
      may_have_cause = fill(e);
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
