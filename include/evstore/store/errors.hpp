#pragma once
// Errors of the event store that callers branch on.

#include <cstdint>
#include <stdexcept>
#include <string>

#include <boost/system/error_code.hpp>
#include <boost/system/system_error.hpp>

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

/// The stream's version was not the expected one; nothing of the append was written from the
/// transaction that failed on.
class concurrency_error : public boost::system::system_error {
 public:
  concurrency_error(std::string domain, std::string identifier, std::uint64_t expected,
                    std::uint64_t actual);
  const std::string& domain() const noexcept { return domain_; }
  const std::string& identifier() const noexcept { return identifier_; }
  std::uint64_t expected_version() const noexcept { return expected_; }
  std::uint64_t actual_version() const noexcept { return actual_; }

 private:
  std::string domain_;
  std::string identifier_;
  std::uint64_t expected_;
  std::uint64_t actual_;
};

/// An event with this id is already stored.
class duplicate_event_error : public boost::system::system_error {
 public:
  explicit duplicate_event_error(std::string event_id);
  const std::string& event_id() const noexcept { return event_id_; }

 private:
  std::string event_id_;
};

}  // namespace evstore

template <>
struct boost::system::is_error_code_enum<evstore::store_errc> : std::true_type {};
