#pragma once
// What the `async_*` forms of repo, replay and subscription tell about a failure beyond its
// error code, filled without throwing to the caller (see docs/api.md, "Diagnostics").

#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "evstore/store/atomic_append.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

class append_error;

/// Passed by reference to an `async_*` overload, which clears it when the operation starts and
/// fills it when it fails; it must outlive the operation. Read it in the completion handler
/// (or after it ran). Holds no secrets.
class diagnostics {
 public:
  /// What failed and what to do (the exception message of the awaitable form); empty on success.
  const std::string& message() const noexcept { return message_; }
  /// The service's own message when a DynamoDB or S3 error response caused the failure.
  const std::string& server_message() const noexcept { return server_message_; }

  /// concurrency_conflict: the stream (the first one for an atomic append), the version the
  /// call expected and the version the stream was at.
  const std::string& stream_domain() const noexcept { return stream_domain_; }
  const std::string& stream_identifier() const noexcept { return stream_identifier_; }
  std::optional<std::uint64_t> expected_version() const noexcept { return expected_version_; }
  std::optional<std::uint64_t> actual_version() const noexcept { return actual_version_; }
  /// concurrency_conflict of append_atomic: every stream that missed its expectation.
  const std::vector<stream_conflict>& conflicts() const noexcept { return conflicts_; }

  /// duplicate_event: the id stored with other content.
  const std::string& duplicate_event_id() const noexcept { return duplicate_event_id_; }

  /// A failed append (append, append_atomic): the events of the call that are stored, every
  /// event of the call to append again to settle it, and whether some may or may not be stored
  /// (the same as append_error's members).
  const std::vector<event>& written_events() const noexcept { return written_events_; }
  const std::vector<event>& resend_events() const noexcept { return resend_events_; }
  bool in_doubt() const noexcept { return in_doubt_; }

  void clear() noexcept;

  /// Records the failure `failure` (what an operation's coroutine ended with) and returns its
  /// code; called by the store's operations. Never throws.
  boost::system::error_code record(std::exception_ptr failure) noexcept;
  /// Records an append's failure the operation returned instead of throwing it (a version
  /// conflict) and returns its code. Never throws.
  boost::system::error_code record(const append_error& failure) noexcept;

 private:
  /// Fills the details of `failure`; returns whether a server's message may lie behind it.
  bool fill(const append_error& failure);

  std::string message_;
  std::string server_message_;
  std::string stream_domain_;
  std::string stream_identifier_;
  std::optional<std::uint64_t> expected_version_;
  std::optional<std::uint64_t> actual_version_;
  std::vector<stream_conflict> conflicts_;
  std::string duplicate_event_id_;
  std::vector<event> written_events_;
  std::vector<event> resend_events_;
  bool in_doubt_ = false;
};

}  // namespace evstore
