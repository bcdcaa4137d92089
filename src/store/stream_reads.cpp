// repo::stream_events: the head's version read strongly consistently, then the stream index
// (eventually consistent) queried until it shows every event up to that version; entries of an
// index that projects only keys are then read from the table (strongly consistent BatchGetItem).

#include <algorithm>
#include <chrono>
#include <iterator>
#include <optional>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "repo_state.hpp"
#include "store/item_codec.hpp"
#include "stream_index.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Index pages read for one stream read at most (1 MB each): a bound, not an expected size.
constexpr std::size_t max_pages = 100'000;

/// The stream's index entries with after < sequence <= version, in sequence order.
asio::awaitable<std::vector<ddb::item>> query_index(repo_state& state, const std::string& stream,
                                                    std::uint64_t after, std::uint64_t version) {
  ddb::query_request request;
  request.table_name = state.table;
  request.index_name = std::string(stream_index);
  request.key_condition_expression = "#stream = :stream AND #sequence BETWEEN :first AND :last";
  request.names = {{"#stream", std::string(stream_attribute)}, {"#sequence", "sequence"}};
  request.values = {{":stream", ddb::attribute_value::string(stream)},
                    {":first", ddb::attribute_value::number(after + 1)},
                    {":last", ddb::attribute_value::number(version)}};
  std::vector<ddb::item> found;
  for (std::size_t page = 0; page < max_pages; ++page) {
    ddb::query_result result = co_await state.ddb.query(request);
    std::move(result.items.begin(), result.items.end(), std::back_inserter(found));
    if (!result.last_evaluated_key) break;
    request.exclusive_start_key = std::move(result.last_evaluated_key);
  }
  co_return found;
}

/// Whether `found` holds exactly the sequences after+1 .. version, once each.
bool complete_run(const std::vector<ddb::item>& found, std::uint64_t after, std::uint64_t version) {
  if (found.size() != version - after) return false;
  for (std::size_t i = 0; i < found.size(); ++i)
    if (entry_sequence(found[i]) != after + 1 + i) return false;
  return true;
}

}  // namespace

asio::awaitable<std::vector<event>> read_stream_events(std::shared_ptr<repo_state> state,
                                                       std::string domain, std::string identifier,
                                                       stream_read_options options) {
  state->check_open("stream_events");
  const ddb::get_item_request head_request{.table_name = state->table,
                                           .key = head_item_key(domain, identifier),
                                           .consistent_read = true};
  const ddb::get_item_result head = co_await state->ddb.get_item(head_request);
  const std::uint64_t version = head_version(head.item);
  std::vector<event> events;
  if (version <= options.after_sequence) co_return events;

  const std::string stream = stream_name(domain, identifier);
  const auto deadline = std::chrono::steady_clock::now() + options.max_index_wait;
  std::vector<ddb::item> found;
  for (unsigned attempt = 0;; ++attempt) {
    found = co_await query_index(*state, stream, options.after_sequence, version);
    if (complete_run(found, options.after_sequence, version)) break;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw boost::system::system_error(
          make_error_code(store_errc::index_lag),
          "stream " + stream + " is at version " + std::to_string(version) +
              " but its index shows " + std::to_string(found.size()) + " of the " +
              std::to_string(version - options.after_sequence) + " events after sequence " +
              std::to_string(options.after_sequence) + " after waiting " +
              std::to_string(options.max_index_wait.count()) +
              " ms: retry later, or run migrate if the TypeScript adapter wrote this stream");
    }
    state->log(log_level::debug, "stream index behind the head of " + stream + "; reading again");
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    co_await state->backoff(
        attempt, std::chrono::milliseconds{20},
        std::clamp(left, std::chrono::milliseconds{1}, std::chrono::milliseconds{1000}));
  }
  events.reserve(found.size());
  if (std::all_of(found.begin(), found.end(), entry_holds_event)) {
    for (const ddb::item& entry : found) {
      decoded_item item = event_from_item(entry);
      if (item.offloaded)
        events.push_back(co_await state->complete(std::move(item)));
      else
        events.push_back(std::move(item.value));
    }
    co_return events;
  }
  // Keys only: the items were written in the transaction that moved the head to `version`, so
  // a strongly consistent read finds every one; one missing was deleted behind evstore's back.
  std::vector<event> hydrated = co_await state->hydrate(found);
  if (hydrated.size() != found.size()) {
    throw boost::system::system_error(
        make_error_code(store_errc::corrupt_item),
        "stream " + stream + ": " + std::to_string(found.size() - hydrated.size()) + " of the " +
            std::to_string(found.size()) +
            " events its index shows have no item in the table (deleted?); inspect the table");
  }
  for (event& e : hydrated) events.push_back(std::move(e));
  co_return events;
}

}  // namespace evstore
