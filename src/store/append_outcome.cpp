#include "store/append_outcome.hpp"

#include "store/start_operation.hpp"

namespace evstore {

namespace asio = boost::asio;

append_outcome append_outcome::appended(std::vector<event> events) {
  append_outcome outcome;
  outcome.events_ = std::move(events);
  return outcome;
}

std::vector<event> append_outcome::events_or_throw() && {
  if (const auto* conflict = std::get_if<concurrency_error>(&conflict_)) throw *conflict;
  if (const auto* conflict = std::get_if<atomic_conflict_error>(&conflict_)) throw *conflict;
  return std::move(events_);
}

std::pair<boost::system::error_code, std::vector<event>> append_outcome::completion(
    diagnostics* diag) && {
  const append_error* conflict = std::get_if<concurrency_error>(&conflict_);
  if (!conflict) conflict = std::get_if<atomic_conflict_error>(&conflict_);
  if (!conflict) return {boost::system::error_code{}, std::move(events_)};
  return {diag ? diag->record(*conflict) : conflict->code(), {}};
}

asio::awaitable<std::vector<event>> events_or_throw(asio::awaitable<append_outcome> append) {
  append_outcome outcome = co_await std::move(append);
  co_return std::move(outcome).events_or_throw();
}

void start_append_operation(const asio::any_io_executor& executor,
                            asio::awaitable<append_outcome> append,
                            aws::detail::completion_handler<std::vector<event>> handler,
                            diagnostics* diag) {
  if (diag) diag->clear();
  aws::detail::spawn_operation<std::vector<event>>(
      executor, std::move(append), std::move(handler), failure_code(diag),
      [diag](append_outcome outcome) { return std::move(outcome).completion(diag); });
}

}  // namespace evstore
