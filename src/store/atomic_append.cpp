#include "evstore/store/atomic_append.hpp"

#include <set>

#include <boost/system/system_error.hpp>

#include "store/item_codec.hpp"

namespace evstore {
namespace {

[[noreturn]] void refuse(const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "atomic append: " + what + "; nothing was written");
}

std::uint64_t representative_version(const stream_expectation& expectation) {
  switch (expectation.what) {
    case stream_expectation::kind::exact:
      return expectation.version;
    case stream_expectation::kind::exists:
      return 1;
    case stream_expectation::kind::no_stream:
    case stream_expectation::kind::any:
      return 0;
  }
  return 0;
}

std::string conflicts_message(const std::vector<stream_conflict>& conflicts) {
  std::string message = "atomic append refused: ";
  for (std::size_t i = 0; i < conflicts.size(); ++i) {
    const stream_conflict& c = conflicts[i];
    if (i > 0) message += "; ";
    message += std::string(c.check_only ? "checked stream '" : "stream '") +
               stream_name(c.domain, c.identifier) + "' expected " + c.expected.describe() +
               " but is at version " + std::to_string(c.actual);
  }
  return message +
         "; the transaction was not applied, nothing of it is stored: reload the "
         "streams and retry";
}

}  // namespace

bool stream_expectation::met_by(std::uint64_t actual) const noexcept {
  switch (what) {
    case kind::exact:
      return actual == version;
    case kind::no_stream:
      return actual == 0;
    case kind::exists:
      return actual > 0;
    case kind::any:
      return true;
  }
  return false;
}

std::string stream_expectation::describe() const {
  switch (what) {
    case kind::exact:
      return "version " + std::to_string(version);
    case kind::no_stream:
      return "no stream";
    case kind::exists:
      return "an existing stream";
    case kind::any:
      return "any version";
  }
  return "?";
}

atomic_conflict_error::atomic_conflict_error(std::vector<stream_conflict> conflicts)
    : concurrency_error(conflicts.at(0).domain, conflicts.at(0).identifier,
                        representative_version(conflicts.at(0).expected), conflicts.at(0).actual,
                        conflicts_message(conflicts)),
      conflicts_(std::move(conflicts)) {}

std::size_t atomic_action_count(const atomic_append& request) {
  std::size_t count = request.checks.size();
  for (const atomic_stream_write& write : request.writes) count += 1 + write.events.size();
  return count;
}

void check_atomic_request(atomic_append& request) {
  if (request.writes.empty()) refuse("no stream to write to");
  std::set<std::string> names;
  const auto name_once = [&](const std::string& domain, const std::string& identifier) {
    const std::string name = stream_name(domain, identifier);
    if (domain.empty()) refuse("a stream without domain");
    if (!names.insert(name).second)
      refuse("stream '" + name + "' is named more than once (write it, or check it, once)");
    return name;
  };
  for (atomic_stream_write& write : request.writes) {
    const std::string name = name_once(write.domain, write.identifier);
    if (write.events.empty())
      refuse("no events for stream '" + name + "': give it as a check instead");
    for (event& e : write.events) {
      if (e.domain.empty()) e.domain = write.domain;
      if (!e.identifier && !write.identifier.empty()) e.identifier = write.identifier;
      if (e.domain != write.domain || e.identifier.value_or("") != write.identifier)
        refuse("an event of stream '" + stream_name(e.domain, e.identifier.value_or("")) +
               "' is given for stream '" + name + "'");
    }
  }
  for (const atomic_stream_check& check : request.checks) {
    const std::string name = name_once(check.domain, check.identifier);
    if (check.expectation.what == stream_expectation::kind::any)
      refuse("the check of stream '" + name + "' expects any version, which checks nothing");
  }
  const std::size_t actions = atomic_action_count(request);
  if (actions > max_atomic_actions)
    refuse("it needs " + std::to_string(actions) +
           " actions (a head update per stream written, one per event, one per check), over "
           "the " +
           std::to_string(max_atomic_actions) +
           " of one DynamoDB transaction; it is not split: write fewer events at once");
}

void check_atomic_size(const std::vector<std::size_t>& item_bytes,
                       const transaction_limits& limits) {
  std::size_t total = 0;
  for (const std::size_t bytes : item_bytes) total += bytes;
  if (total > limits.max_item_bytes)
    refuse("its event items come to " + std::to_string(total) + " bytes, over the " +
           std::to_string(limits.max_item_bytes) +
           " one DynamoDB transaction may carry; it is not split: write fewer or smaller "
           "events at once (payloads over the offload threshold count with their S3 reference "
           "only)");
}

std::vector<atomic_action> atomic_actions(
    const std::vector<std::vector<std::size_t>>& write_positions, std::size_t check_count) {
  std::vector<atomic_action> actions;
  for (std::size_t w = 0; w < write_positions.size(); ++w) {
    actions.push_back({atomic_action::kind::head, w, 0});
    for (const std::size_t p : write_positions[w])
      actions.push_back({atomic_action::kind::put, w, p});
  }
  for (std::size_t c = 0; c < check_count; ++c)
    actions.push_back({atomic_action::kind::check, c, 0});
  return actions;
}

atomic_cancellation classify_atomic_cancellation(
    const std::vector<atomic_action>& actions, const std::vector<event>& events,
    const std::vector<dynamodb::cancellation_reason>& reasons) {
  atomic_cancellation result;
  bool retryable = false;
  bool fatal = false;
  std::optional<std::string> duplicate;
  for (std::size_t i = 0; i < reasons.size(); ++i) {
    const dynamodb::cancellation_reason& reason = reasons[i];
    if (reason.code == "None" || reason.code.empty()) continue;
    const atomic_action* action = i < actions.size() ? &actions[i] : nullptr;
    std::string name = "action " + std::to_string(i + 1);
    if (action && action->what == atomic_action::kind::put)
      name = "event '" + events.at(action->position).id + "'";
    else if (action && action->what == atomic_action::kind::head)
      name = "head of write " + std::to_string(action->stream + 1);
    else if (action)
      name = "check " + std::to_string(action->stream + 1);
    if (!result.summary.empty()) result.summary += "; ";
    result.summary += name + ": " + reason.code;
    if (!reason.message.empty()) result.summary += " (" + reason.message + ")";

    if (reason.code == "ConditionalCheckFailed" && action) {
      if (action->what == atomic_action::kind::put) {
        if (!duplicate) duplicate = events.at(action->position).id;
        continue;
      }
      atomic_stream_failure failure{action->what, action->stream, std::nullopt, std::nullopt};
      if (reason.item) {
        try {
          failure.actual_version = head_version(reason.item);
          failure.actual_last_created = head_last_created(reason.item);
        } catch (const boost::system::system_error&) {
          failure.actual_version.reset();
          failure.actual_last_created.reset();
        }
      }
      result.failures.push_back(failure);
    } else if (reason.code == "TransactionConflict" || reason.code == "ThrottlingError" ||
               reason.code == "ProvisionedThroughputExceeded" ||
               reason.code == "RequestLimitExceeded") {
      retryable = true;
    } else {
      fatal = true;
    }
  }
  if (!result.failures.empty()) {
    result.verdict = atomic_cancellation::kind::conditions_failed;
  } else if (duplicate) {
    result.verdict = atomic_cancellation::kind::duplicate_event;
    result.event_id = *duplicate;
  } else if (retryable && !fatal) {
    result.verdict = atomic_cancellation::kind::retryable;
  } else {
    result.verdict = atomic_cancellation::kind::fatal;
    if (result.summary.empty()) result.summary = "no reason given";
  }
  return result;
}

}  // namespace evstore
