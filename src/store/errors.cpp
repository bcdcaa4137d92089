#include "evstore/store/errors.hpp"

#include <string>
#include <utility>

namespace evstore {
namespace {

// error_category has a protected non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class store_category_impl final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "evstore.store"; }

  std::string message(int value) const override {
    // Short: system_error::what() appends this to the message that says what to do.
    switch (static_cast<store_errc>(value)) {
      case store_errc::invalid_event:
        return "invalid event";
      case store_errc::concurrency_conflict:
        return "concurrency conflict";
      case store_errc::duplicate_event:
        return "duplicate event";
      case store_errc::event_not_found:
        return "event not found";
      case store_errc::payload_unavailable:
        return "offloaded payload unavailable";
      case store_errc::corrupt_item:
        return "corrupt item";
      case store_errc::transaction_too_large:
        return "transaction too large";
      case store_errc::cursor_not_found:
        return "replay cursor not found";
      case store_errc::index_lag:
        return "stream index behind the stream head";
      case store_errc::outcome_unknown:
        return "outcome of the write unknown";
    }
    return "unknown event store error";
  }
};
#pragma GCC diagnostic pop

std::string concurrency_message(const std::string& domain, const std::string& identifier,
                                std::uint64_t expected, std::uint64_t actual) {
  return "append to stream '" + domain + "::" + identifier + "' expected version " +
         std::to_string(expected) + " but the stream is at version " + std::to_string(actual) +
         "; nothing of the failed transaction was written: reload the stream and retry";
}

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const store_category_impl category;
  return category;
}

concurrency_error::concurrency_error(std::string domain, std::string identifier,
                                     std::uint64_t expected, std::uint64_t actual)
    : boost::system::system_error(make_error_code(store_errc::concurrency_conflict),
                                  concurrency_message(domain, identifier, expected, actual)),
      domain_(std::move(domain)),
      identifier_(std::move(identifier)),
      expected_(expected),
      actual_(actual) {}

duplicate_event_error::duplicate_event_error(std::string event_id)
    : boost::system::system_error(make_error_code(store_errc::duplicate_event),
                                  "an event with id '" + event_id +
                                      "' is already stored; the transaction carrying it was not "
                                      "written: give the event a new id or drop it"),
      event_id_(std::move(event_id)) {}

}  // namespace evstore
