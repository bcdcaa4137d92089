#include "evstore/store/errors.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

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
         "; the transaction that found it was not applied: reload the stream and retry";
}

/// "stream a::1: 99 events (ids x .. y, sequences 1-99)", for each stream of `events`.
std::string stored_summary(const std::vector<event>& events) {
  std::vector<std::pair<std::string, std::vector<const event*>>> streams;
  for (const event& e : events) {
    const std::string name = e.domain + "::" + e.identifier.value_or("");
    auto it = std::find_if(streams.begin(), streams.end(),
                           [&](const auto& stream) { return stream.first == name; });
    if (it == streams.end()) it = streams.insert(streams.end(), {name, {}});
    it->second.push_back(&e);
  }
  std::string summary;
  for (const auto& [name, stored] : streams) {
    if (!summary.empty()) summary += ", ";
    summary += "stream " + name + ": " + std::to_string(stored.size()) + " (ids '" +
               stored.front()->id + "'";
    if (stored.size() > 1) summary += " .. '" + stored.back()->id + "'";
    summary += ", sequences " + std::to_string(stored.front()->sequence);
    if (stored.size() > 1) summary += " .. " + std::to_string(stored.back()->sequence);
    summary += ")";
  }
  return summary;
}

}  // namespace

const boost::system::error_category& store_category() noexcept {
  static const store_category_impl category;
  return category;
}

append_error::append_error(boost::system::error_code code, std::string message)
    : boost::system::system_error(code, message),
      message_(std::move(message)),
      full_message_(message_ + ": " + code.message()) {}

const char* append_error::what() const noexcept {
  return full_message_.c_str();
}

void append_error::set_outcome(std::vector<event> written, std::vector<event> resend,
                               bool in_doubt) {
  written_ = std::move(written);
  resend_ = std::move(resend);
  in_doubt_ = in_doubt;
  std::string report;
  if (written_.empty()) {
    report = in_doubt_ ? "; no event of this append is known to be stored"
                       : "; no event of this append is stored";
  } else {
    report = "; stored of this append's " + std::to_string(resend_.size()) +
             " events: " + std::to_string(written_.size()) + " (" + stored_summary(written_) + ")";
  }
  if (in_doubt_) {
    report +=
        "; the outcome of the rest is unknown: append the same events again (with the ids "
        "the store gave them) to settle it";
  }
  full_message_ = message_ + report + ": " + code().message();
}

void append_error::add_note(const std::string& note) {
  message_ += "; " + note;
  const std::size_t code_part = full_message_.rfind(": " + code().message());
  full_message_.insert(code_part == std::string::npos ? full_message_.size() : code_part,
                       "; " + note);
}

concurrency_error::concurrency_error(std::string domain, std::string identifier,
                                     std::uint64_t expected, std::uint64_t actual)
    : append_error(make_error_code(store_errc::concurrency_conflict),
                   concurrency_message(domain, identifier, expected, actual)),
      domain_(std::move(domain)),
      identifier_(std::move(identifier)),
      expected_(expected),
      actual_(actual) {}

concurrency_error::concurrency_error(std::string domain, std::string identifier,
                                     std::uint64_t expected, std::uint64_t actual,
                                     std::string message)
    : append_error(make_error_code(store_errc::concurrency_conflict), std::move(message)),
      domain_(std::move(domain)),
      identifier_(std::move(identifier)),
      expected_(expected),
      actual_(actual) {}

duplicate_event_error::duplicate_event_error(std::string event_id)
    : append_error(make_error_code(store_errc::duplicate_event),
                   "an event with id '" + event_id +
                       "' is already stored with other content; the transaction carrying it was "
                       "not applied: give the event a new id or drop it"),
      event_id_(std::move(event_id)) {}

}  // namespace evstore
