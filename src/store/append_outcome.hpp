#pragma once
// What the store's append coroutines end with: the events appended, or the version conflict
// that refused them. A conflict is an expected outcome of appending under concurrency, so it is
// returned, not thrown: the completion-token forms report it with its code and diagnostics
// without an exception raised anywhere on the way; the awaitable forms throw it once.

#include <memory>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include "evstore/aws/detail/completion_handler.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"

namespace evstore {

class repo_state;

class append_outcome {
 public:
  static append_outcome appended(std::vector<event> events);
  /// `conflict` (a concurrency_error or an atomic_conflict_error) with its outcome set.
  template <class Conflict>
  static append_outcome refused(Conflict conflict) {
    append_outcome outcome;
    outcome.conflict_.template emplace<Conflict>(std::move(conflict));
    return outcome;
  }

  /// The events appended; throws the conflict, as its own type.
  std::vector<event> events_or_throw() &&;
  /// The code and events a completion handler gets, the conflict recorded in `diag` (when
  /// given). Never throws.
  std::pair<boost::system::error_code, std::vector<event>> completion(diagnostics* diag) &&;

 private:
  std::vector<event> events_;
  std::variant<std::monostate, concurrency_error, atomic_conflict_error> conflict_;
};

/// repo::append, on the shared state (so that it outlives the repo object).
boost::asio::awaitable<append_outcome> append_events(std::shared_ptr<repo_state> state,
                                                     std::vector<event> events,
                                                     append_options options);

/// repo::append_atomic, on the shared state.
boost::asio::awaitable<append_outcome> append_atomic_events(std::shared_ptr<repo_state> state,
                                                            atomic_append request);

/// The awaitable forms' append: the events, or the conflict thrown.
boost::asio::awaitable<std::vector<event>> events_or_throw(
    boost::asio::awaitable<append_outcome> append);

/// Starts an append for a completion-token form: `handler` gets the events, or a conflict's code
/// (recorded in `diag`) without an exception, or a failure's code like start_operation.
void start_append_operation(const boost::asio::any_io_executor& executor,
                            boost::asio::awaitable<append_outcome> append,
                            aws::detail::completion_handler<std::vector<event>> handler,
                            diagnostics* diag);

}  // namespace evstore
