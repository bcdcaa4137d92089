#pragma once
// The steps repo::append (append.cpp) and repo::append_atomic (append_atomic_io.cpp) share:
// checking sizes, looking up caller-chosen ids, reading heads, building items (offloading
// oversized payloads), and telling whether a transaction whose answer was lost is applied.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/dynamodb/transact_write_items.hpp"

#include "evstore/store/detail/append_plan.hpp"
#include "repo_state.hpp"

namespace evstore {

/// Attempts of one transaction while it is cancelled only by conflicts with other transactions
/// or throttling, before the error reaches the caller.
inline constexpr unsigned max_transaction_attempts = 8;
/// Stream heads read at once before an append.
inline constexpr std::size_t concurrent_head_reads = 16;

/// Checks, before anything is written, that every event fits an item once its payload is
/// offloaded, and that a bucket is there to take the payloads that need offloading. Returns
/// each event's item size as it will be written (offloaded where it will be), allowing for its
/// sequence. Throws system_error(store_errc::invalid_event).
std::vector<std::size_t> check_sizes(const repo_state& state, const std::vector<event>& events);

/// `read(k)` for every k below `count`, up to `window` at once: each read that ends starts the
/// next, so one slow read (a stall, a retry's backoff) holds up a single place of the window,
/// not a whole batch. The results in k order. After a failure no further read starts; the first
/// failure (in k order) is rethrown once the reads under way have ended.
template <class T, class Read>
boost::asio::awaitable<std::vector<T>> read_concurrently(boost::asio::any_io_executor executor,
                                                         std::size_t count, std::size_t window,
                                                         Read read) {
  std::vector<T> results(count);
  std::vector<std::exception_ptr> errors(count);
  // Atomic: the workers may run on several threads when the executor is not a strand.
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  const auto worker = [&]() -> boost::asio::awaitable<void> {
    for (std::size_t k = next++; k < count && !failed; k = next++) {
      try {
        results[k] = co_await read(k);
      } catch (...) {
        errors[k] = std::current_exception();
        failed = true;
      }
    }
  };
  using worker_op = decltype(boost::asio::co_spawn(
      executor, std::declval<boost::asio::awaitable<void>>(), boost::asio::deferred));
  std::vector<worker_op> ops;
  for (std::size_t w = 0; w < std::min(count, window); ++w)
    ops.push_back(boost::asio::co_spawn(executor, worker(), boost::asio::deferred));
  if (!ops.empty())
    co_await boost::asio::experimental::make_parallel_group(std::move(ops))
        .async_wait(boost::asio::experimental::wait_for_all(), boost::asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  co_return results;
}

/// The call writing a chunk: the head Update, then a Put per event. What it holds beside the
/// chunk and its items (expressions, return values) is named by the tags of
/// transaction_content_digest and atomic_transaction_digest: changing it changes the tags.
/// The head's condition holds its version and that its lastCreated is not later than the
/// chunk's first event; the Update sets both, lastCreated to the chunk's last event. The head
/// returns its item when its condition fails (ALL_OLD).
dynamodb::transact_write_items_request build_transaction(const repo_state& state,
                                                         const transaction_chunk& chunk,
                                                         std::vector<dynamodb::item> items);

/// For the events at `lookups` (ids the caller chose), the identical event already stored
/// (nullopt for the others; the result has a place for every event). Throws
/// duplicate_event_error when an id is stored with other content. Generated ids are new UUIDs
/// and are not looked up.
boost::asio::awaitable<std::vector<std::optional<event>>> find_stored(
    std::shared_ptr<repo_state> state, const std::vector<event>& events,
    const std::vector<std::size_t>& lookups, const std::vector<bool>& caller_times);

/// The stream's head, read strongly consistently.
boost::asio::awaitable<stream_head> read_head(repo_state& state, const std::string& domain,
                                              const std::string& identifier);

/// Whether the transaction that wrote `first_item` is applied: the item is stored exactly as
/// written (a transaction is all or nothing). Answers an attempt whose response was lost.
boost::asio::awaitable<bool> chunk_applied(repo_state& state, const dynamodb::item& first_item);

/// Items for the stream's events (sequences assigned) at their positions in `items` and their
/// sizes in `sizes`, offloading oversized payloads to S3 (content-named keys).
boost::asio::awaitable<void> build_items(repo_state& state, const stream_events& stream,
                                         const std::vector<event>& events,
                                         std::vector<dynamodb::item>& items,
                                         std::vector<std::size_t>& sizes);

/// Whether an error response to an append's transaction leaves open whether an earlier attempt
/// of it, whose answer was lost, was applied: a server error (5xx), or a refusal the service
/// client retries (throttling, a transaction still in progress), ends the retries without saying;
/// other 4xx say it was not.
bool leaves_outcome_open(const dynamodb::service_error& error) noexcept;

/// The message of `error` without the text of its code that what() appends (": <message>",
/// with or without " [<category>:<value>]").
std::string message_of(const boost::system::system_error& error);

}  // namespace evstore
