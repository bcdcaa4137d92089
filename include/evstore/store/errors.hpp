#pragma once
// Errors of the event store that callers branch on.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/event.hpp"

namespace evstore {

enum class store_errc {
  invalid_event = 1,     ///< an event failed validation; nothing was written
  concurrency_conflict,  ///< the stream's version was not the expected one
  duplicate_event,       ///< an event with this id is already stored
  event_not_found,
  payload_unavailable,    ///< an offloaded payload could not be read from S3
  corrupt_item,           ///< a stored item does not match the table layout
  transaction_too_large,  ///< one event alone exceeds what a transaction can carry
  cursor_not_found,       ///< a replay's after_id names no stored event
  index_lag,              ///< the stream index did not catch up within the wait
  outcome_unknown,        ///< a write may or may not have been applied (retries exhausted)
};

const boost::system::error_category& store_category() noexcept;
inline boost::system::error_code make_error_code(store_errc e) noexcept {
  return {static_cast<int>(e), store_category()};
}

/// An append that failed once its events were prepared (ids generated, times given): what the
/// store holds of it, and how to settle it. repo::append throws this type (or one derived from
/// it) for every failure after validation, keeping the code of the cause (an error of another
/// type is nested: std::rethrow_if_nested reaches it).
class append_error : public boost::system::system_error {
 public:
  append_error(boost::system::error_code code, std::string message);

  /// The message, followed by what of the append is stored (none, or which events).
  const char* what() const noexcept override;

  /// The events of the call that are stored (written by it, or found stored with the same
  /// content), with id, created and sequence, in call order. Empty: nothing of the call is.
  const std::vector<event>& written_events() const noexcept { return written_; }
  /// Every event of the call, in call order, with the ids the store generated filled in, and
  /// `created` as stored for stored events, as the caller gave it for the others (left empty
  /// when the store was to choose it). Appending exactly these again settles the call: stored
  /// events are recognised by id and not written twice, the rest is written.
  const std::vector<event>& resend_events() const noexcept { return resend_; }
  /// Whether some events may or may not be stored: a transaction's outcome is unknown (its
  /// answer was lost, or the append was cancelled while it was in flight). resend_events()
  /// settles it.
  bool in_doubt() const noexcept { return in_doubt_; }

  /// Records what of the append is stored; called by the store before the error leaves it.
  void set_outcome(std::vector<event> written, std::vector<event> resend, bool in_doubt);
  /// Adds a sentence to the message, for a caller that rethrows the error with what it did.
  void add_note(const std::string& note);

 private:
  std::string message_;
  std::string full_message_;
  std::vector<event> written_;
  std::vector<event> resend_;
  bool in_doubt_ = false;
};

/// The stream's version was not the expected one. written_events() says what of the append was
/// stored before (earlier transactions of a large append, other streams).
class concurrency_error : public append_error {
 public:
  concurrency_error(std::string domain, std::string identifier, std::uint64_t expected,
                    std::uint64_t actual);
  const std::string& domain() const noexcept { return domain_; }
  const std::string& identifier() const noexcept { return identifier_; }
  std::uint64_t expected_version() const noexcept { return expected_; }
  std::uint64_t actual_version() const noexcept { return actual_; }

 protected:
  /// For a derived error that words its own message.
  concurrency_error(std::string domain, std::string identifier, std::uint64_t expected,
                    std::uint64_t actual, std::string message);

 private:
  std::string domain_;
  std::string identifier_;
  std::uint64_t expected_;
  std::uint64_t actual_;
};

/// An event with this id is already stored with other content.
class duplicate_event_error : public append_error {
 public:
  explicit duplicate_event_error(std::string event_id);
  const std::string& event_id() const noexcept { return event_id_; }

 private:
  std::string event_id_;
};

}  // namespace evstore

template <>
struct boost::system::is_error_code_enum<evstore::store_errc> : std::true_type {};
