// repo::append: validate, offload oversized payloads, then one chain of transactions per stream.

#include <algorithm>

#include <boost/asio/awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/item_size.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/uuid.hpp"
#include "evstore/store/validation.hpp"
#include "repo_state.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Cancelled transactions retried (for conflicts with other transactions or throttling) before
/// the error reaches the caller.
constexpr unsigned max_transaction_attempts = 8;
/// Times an append without expected sequence re-reads the head after another writer moved it.
constexpr unsigned max_head_rereads = 5;
/// Bytes a sequence number can add to an item beyond the 0 measured before sequences are known.
constexpr std::size_t sequence_size_margin = 11;

[[noreturn]] void reject(const event& e, std::size_t position, const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "event " + std::to_string(position + 1) + " (id '" + e.id +
                                        "') " + what + "; nothing was written");
}

/// Checks, before anything is written, that every event fits an item once its payload is
/// offloaded, and that a bucket is there to take the payloads that need offloading.
void check_sizes(const repo_state& state, const std::vector<event>& events) {
  for (std::size_t p = 0; p < events.size(); ++p) {
    const event& e = events[p];
    const std::size_t full = item_size(to_item(e)) + sequence_size_margin;
    if (full <= state.options.offload_threshold_bytes) continue;
    if (state.options.s3_bucket_name.empty())
      reject(e, p,
             "makes an item of " + std::to_string(full) +
                 " bytes, over the offload threshold, but no S3 bucket is "
                 "configured: set s3_bucket_name");
    const std::size_t offloaded =
        item_size(to_item(e, s3_location{state.options.s3_bucket_name,
                                         state.options.s3_key_prefix + e.id + ".json"})) +
        sequence_size_margin;
    if (offloaded > max_item_bytes)
      reject(e, p,
             "makes an item of " + std::to_string(offloaded) +
                 " bytes even without its payload, over DynamoDB's 409,600: shrink its meta");
  }
}

ddb::transact_write_items_request build_transaction(const repo_state& state,
                                                    const transaction_chunk& chunk,
                                                    std::vector<ddb::item> items) {
  ddb::transact_write_items_request request;
  ddb::transact_update head;
  head.table_name = state.table;
  head.key = head_item_key(chunk.domain, chunk.identifier);
  head.update_expression = "SET #version = :newVersion";
  head.condition_expression = chunk.expected_version == 0
                                  ? "attribute_not_exists(#version) OR #version = :expected"
                                  : "#version = :expected";
  head.names = {{"#version", "version"}};
  head.values = {{":newVersion", ddb::attribute_value::number(chunk.new_version)},
                 {":expected", ddb::attribute_value::number(chunk.expected_version)}};
  head.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  request.items.emplace_back(std::move(head));
  for (ddb::item& item : items) {
    ddb::transact_put put;
    put.table_name = state.table;
    put.item = std::move(item);
    put.condition_expression = "attribute_not_exists(#id)";
    put.names = {{"#id", "id"}};
    request.items.emplace_back(std::move(put));
  }
  return request;
}

asio::awaitable<std::uint64_t> read_version(repo_state& state, const std::string& domain,
                                            const std::string& identifier) {
  // Requests are named locals: GCC 12 destroys temporaries of a co_await expression twice.
  const ddb::get_item_request request{
      .table_name = state.table, .key = head_item_key(domain, identifier), .consistent_read = true};
  const ddb::get_item_result head = co_await state.ddb.get_item(request);
  co_return head_version(head.item);
}

/// Writes one chunk; retries conflicts with other transactions. Returns nullopt when written,
/// the head's actual version when its condition failed.
asio::awaitable<std::optional<std::uint64_t>> write_chunk(repo_state& state,
                                                          const transaction_chunk& chunk,
                                                          const std::vector<event>& events,
                                                          const std::vector<ddb::item>& items) {
  for (unsigned attempt = 1;; ++attempt) {
    std::vector<ddb::item> chunk_items;
    chunk_items.reserve(chunk.positions.size());
    for (const std::size_t p : chunk.positions) chunk_items.push_back(items[p]);
    ddb::transact_write_items_request request =
        build_transaction(state, chunk, std::move(chunk_items));
    // A fresh token per attempt: the service client's own resends of this request reuse it, so
    // a write whose response was lost is not applied twice; a deliberate new attempt after a
    // cancellation must not be answered from the cancelled one.
    request.client_request_token = make_uuid_v4();
    std::optional<cancellation_verdict> verdict;
    std::string failure;
    try {
      co_await state.ddb.transact_write_items(request);
      co_return std::nullopt;
    } catch (const ddb::service_error& error) {
      if (error.code() != ddb::errc::transaction_canceled) throw;
      verdict = classify_cancellation(chunk, events, error.cancellation_reasons());
      failure = error.what();
    }
    switch (verdict->verdict) {
      case cancellation_verdict::kind::version_conflict:
        if (verdict->actual_version) co_return verdict->actual_version;
        co_return co_await read_version(state, chunk.domain, chunk.identifier);
      case cancellation_verdict::kind::duplicate_event:
        throw duplicate_event_error(verdict->event_id);
      case cancellation_verdict::kind::retryable:
        if (attempt < max_transaction_attempts) {
          state.log(log_level::debug, "transaction on stream " +
                                          stream_name(chunk.domain, chunk.identifier) +
                                          " cancelled (" + verdict->summary + "); retrying");
          co_await state.backoff(attempt, std::chrono::milliseconds{25},
                                 std::chrono::milliseconds{2000});
          continue;
        }
        [[fallthrough]];
      case cancellation_verdict::kind::fatal:
        throw boost::system::system_error(
            make_error_code(ddb::errc::transaction_canceled),
            "the transaction appending to stream " + stream_name(chunk.domain, chunk.identifier) +
                " was cancelled after " + std::to_string(attempt) +
                " attempt(s): " + verdict->summary + " (" + failure + ")");
    }
  }
}

/// Items for the stream's events (sequences assigned), offloading oversized payloads to S3.
asio::awaitable<void> build_items(repo_state& state, const stream_events& stream,
                                  const std::vector<event>& events, std::vector<ddb::item>& items,
                                  std::vector<std::size_t>& sizes) {
  for (const std::size_t p : stream.positions) {
    const event& e = events[p];
    items[p] = to_item(e);
    sizes[p] = item_size(items[p]);
    if (sizes[p] <= state.options.offload_threshold_bytes) continue;
    s3_location where{state.options.s3_bucket_name, state.options.s3_key_prefix + e.id + ".json"};
    s3::put_options put;
    put.content_type = "application/json";
    put.acl = state.options.s3_acl;
    std::string object = to_json_line(e);
    co_await state.s3.put_object(where.bucket, where.key, std::move(object), put);
    state.log(log_level::debug, "offloaded the payload of event '" + e.id + "' (" +
                                    std::to_string(sizes[p]) + " bytes) to s3://" + where.bucket +
                                    "/" + where.key);
    items[p] = to_item(e, where);
    sizes[p] = item_size(items[p]);
  }
}

asio::awaitable<void> append_stream(repo_state& state, std::vector<event>& events,
                                    const stream_events& stream,
                                    std::optional<std::uint64_t> expected) {
  std::vector<ddb::item> items(events.size());
  std::vector<std::size_t> sizes(events.size());
  for (unsigned reread = 0;; ++reread) {
    const std::uint64_t current =
        expected ? *expected : co_await read_version(state, stream.domain, stream.identifier);
    assign_sequences(events, stream, current);
    co_await build_items(state, stream, events, items, sizes);
    const std::vector<transaction_chunk> chunks = plan_transactions(stream, current, sizes);
    bool replan = false;
    for (std::size_t c = 0; c < chunks.size() && !replan; ++c) {
      const std::optional<std::uint64_t> actual =
          co_await write_chunk(state, chunks[c], events, items);
      if (!actual) continue;
      // With no expected sequence the caller accepts any version: start again from the one
      // found, as long as nothing of this stream is written yet.
      if (!expected && c == 0 && reread + 1 < max_head_rereads) {
        replan = true;
        break;
      }
      throw concurrency_error(stream.domain, stream.identifier, chunks[c].expected_version,
                              *actual);
    }
    if (!replan) co_return;
  }
}

}  // namespace

asio::awaitable<std::vector<event>> append_events(std::shared_ptr<repo_state> state,
                                                  std::vector<event> events,
                                                  append_options options) {
  const auto untimed =
      std::count_if(events.begin(), events.end(), [](const event& e) { return !e.created; });
  prepare_events(events, state->reserve_times(static_cast<std::size_t>(untimed)));
  check_sizes(*state, events);
  for (const stream_events& stream : group_by_stream(events))
    co_await append_stream(*state, events, stream, options.expected_sequence);
  co_return events;
}

}  // namespace evstore
