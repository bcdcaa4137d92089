// repo::append: validate, recognise events already stored, offload oversized payloads, then one
// chain of transactions per stream, streams written concurrently.

#include <algorithm>
#include <atomic>
#include <set>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/append_plan.hpp"
#include "evstore/store/append_token.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/item_size.hpp"
#include "evstore/store/payload_object.hpp"
#include "evstore/store/time.hpp"
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
/// Caller-chosen ids looked up at once before an append.
constexpr std::size_t concurrent_id_lookups = 16;

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
        item_size(
            to_item(e, s3_location{state.options.s3_bucket_name,
                                   payload_object_key(state.options.s3_key_prefix, e.id, {})})) +
        sequence_size_margin;
    if (offloaded > max_item_bytes)
      reject(e, p,
             "makes an item of " + std::to_string(offloaded) +
                 " bytes even without its payload, over DynamoDB's 409,600: shrink its meta");
  }
}

/// For each event whose id the caller chose, the identical event already stored (nullopt for
/// the others). Throws duplicate_event_error, before anything is written, when an id is stored
/// with other content. Generated ids are new UUIDs and are not looked up.
asio::awaitable<std::vector<std::optional<event>>> find_stored(
    std::shared_ptr<repo_state> state, const std::vector<event>& events,
    const std::vector<bool>& caller_ids, const std::vector<bool>& caller_times) {
  std::vector<std::optional<event>> stored(events.size());
  std::vector<std::size_t> lookups;
  for (std::size_t p = 0; p < events.size(); ++p)
    if (caller_ids[p]) lookups.push_back(p);
  for (std::size_t start = 0; start < lookups.size(); start += concurrent_id_lookups) {
    const std::size_t end = std::min(lookups.size(), start + concurrent_id_lookups);
    using lookup_op = decltype(asio::co_spawn(
        state->executor, std::declval<asio::awaitable<std::optional<event>>>(), asio::deferred));
    std::vector<lookup_op> ops;
    for (std::size_t k = start; k < end; ++k)
      ops.push_back(asio::co_spawn(state->executor, state->event_by_id(events[lookups[k]].id),
                                   asio::deferred));
    auto [order, errors, found] =
        co_await asio::experimental::make_parallel_group(std::move(ops))
            .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
    for (std::size_t k = start; k < end; ++k) {
      const std::size_t p = lookups[k];
      std::optional<event>& match = found[k - start];
      if (!match) continue;
      if (!same_event_content(*match, events[p], caller_times[p]))
        throw duplicate_event_error(events[p].id);
      stored[p] = std::move(match);
    }
  }
  co_return stored;
}

/// The call writing a chunk. What it holds beside the chunk and its items (expressions, return
/// values) is named by the tag of transaction_content_digest: changing it changes the tag.
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

/// Whether the chunk's transaction is applied: its first item is stored exactly as written (a
/// transaction is all or nothing). Answers an attempt whose response was lost.
asio::awaitable<bool> chunk_applied(repo_state& state, const ddb::item& first_item) {
  ddb::get_item_request request;
  request.table_name = state.table;
  request.key.emplace("id", first_item.at("id"));
  request.key.emplace("created", first_item.at("created"));
  request.consistent_read = true;
  const ddb::get_item_result stored = co_await state.ddb.get_item(request);
  co_return stored.item&& same_stored_item(*stored.item, first_item);
}

/// Writes one chunk; retries conflicts with other transactions. Returns nullopt when written,
/// the head's actual version when its condition failed. The chunk's items are moved out of
/// `items` into the request, which every attempt sends again with its own token.
asio::awaitable<std::optional<std::uint64_t>> write_chunk(repo_state& state,
                                                          const transaction_chunk& chunk,
                                                          const std::vector<event>& events,
                                                          std::vector<ddb::item>& items) {
  const std::string stream = stream_name(chunk.domain, chunk.identifier);
  const transaction_digest content = transaction_content_digest(state.table, chunk, items);
  std::vector<ddb::item> chunk_items;
  chunk_items.reserve(chunk.positions.size());
  for (const std::size_t p : chunk.positions) chunk_items.push_back(std::move(items[p]));
  ddb::transact_write_items_request request =
      build_transaction(state, chunk, std::move(chunk_items));
  // The head Update comes first, then the chunk's Puts in order.
  const ddb::item& first_item = std::get<ddb::transact_put>(request.items.at(1)).item;
  for (unsigned attempt = 1;; ++attempt) {
    request.client_request_token = client_request_token(content, attempt);
    std::optional<cancellation_verdict> verdict;
    std::string failure;
    bool unknown = false;
    try {
      co_await state.ddb.transact_write_items(request);
      co_return std::nullopt;
    } catch (const ddb::service_error& error) {
      // A server error (5xx), or a refusal the service client retries (throttling, a
      // transaction still in progress), ends the retries without saying whether an earlier
      // attempt whose answer was lost was applied; other 4xx say it was not.
      if (error.http_status() >= 500 || error.code() == ddb::errc::throughput_exceeded ||
          error.code() == ddb::errc::transaction_in_progress ||
          error.code() == ddb::errc::limit_exceeded) {
        unknown = true;
        failure = error.what();
      } else if (error.code() != ddb::errc::transaction_canceled) {
        throw;
      } else {
        verdict = classify_cancellation(chunk, events, error.cancellation_reasons());
        failure = error.what();
      }
    } catch (const boost::system::system_error& error) {
      // Transport failures after the retries: the request may have reached DynamoDB.
      unknown = true;
      failure = error.what();
    }
    if (unknown) {
      bool applied = false;
      try {
        applied = co_await chunk_applied(state, first_item);
      } catch (const boost::system::system_error& error) {
        failure += "; reading it back failed too: " + std::string(error.what());
      }
      if (applied) co_return std::nullopt;
      throw boost::system::system_error(
          make_error_code(store_errc::outcome_unknown),
          "appending events " + events[chunk.positions.front()].id + " .. " +
              events[chunk.positions.back()].id + " to stream " + stream +
              " may or may not have been applied (" + failure +
              "); append the same events again with the same ids: identical events already "
              "stored are recognised and not written twice");
    }
    switch (verdict->verdict) {
      case cancellation_verdict::kind::version_conflict:
      case cancellation_verdict::kind::duplicate_event:
        // An earlier send of this chunk may have been applied with its response lost.
        if (co_await chunk_applied(state, first_item)) co_return std::nullopt;
        if (verdict->verdict == cancellation_verdict::kind::duplicate_event)
          throw duplicate_event_error(verdict->event_id);
        if (verdict->actual_version) co_return verdict->actual_version;
        co_return co_await read_version(state, chunk.domain, chunk.identifier);
      case cancellation_verdict::kind::retryable:
        if (attempt < max_transaction_attempts) {
          state.log(log_level::debug, "transaction on stream " + stream + " cancelled (" +
                                          verdict->summary + "); retrying");
          co_await state.backoff(attempt, std::chrono::milliseconds{25},
                                 std::chrono::milliseconds{2000});
          continue;
        }
        [[fallthrough]];
      case cancellation_verdict::kind::fatal:
        throw boost::system::system_error(make_error_code(ddb::errc::transaction_canceled),
                                          "the transaction appending to stream " + stream +
                                              " was cancelled after " + std::to_string(attempt) +
                                              " attempt(s): " + verdict->summary + " (" + failure +
                                              ")");
    }
  }
}

/// Items for the stream's events (sequences assigned), offloading oversized payloads to S3.
asio::awaitable<void> build_items(repo_state& state, const stream_events& stream,
                                  const std::vector<event>& events, std::vector<ddb::item>& items,
                                  std::vector<std::size_t>& sizes) {
  // Read after cover_months, which learns the table's count from its metadata item.
  const unsigned shards = state.time_bucket_shards();
  for (const std::size_t p : stream.positions) {
    const event& e = events[p];
    items[p] = to_item(e, std::nullopt, shards);
    sizes[p] = item_size(items[p]);
    if (sizes[p] <= state.options.offload_threshold_bytes) continue;
    std::string object = to_json_line(e);
    s3_location where{state.options.s3_bucket_name,
                      payload_object_key(state.options.s3_key_prefix, e.id, object)};
    s3::put_options put;
    put.content_type = "application/json";
    put.acl = state.options.s3_acl;
    co_await state.s3.put_object(where.bucket, where.key, std::move(object), put);
    state.log(log_level::debug, "offloaded the payload of event '" + e.id + "' (" +
                                    std::to_string(sizes[p]) + " bytes) to s3://" + where.bucket +
                                    "/" + where.key);
    items[p] = to_item(e, where, shards);
    sizes[p] = item_size(items[p]);
  }
}

asio::awaitable<void> append_stream(repo_state& state, std::vector<event>& events,
                                    const stream_write& write) {
  const stream_events& stream = write.stream;
  if (stream.positions.empty()) co_return;
  const std::optional<std::uint64_t> expected = write.expected;
  const std::string name = stream_name(stream.domain, stream.identifier);
  std::vector<ddb::item> items(events.size());
  std::vector<std::size_t> sizes(events.size());
  for (unsigned reread = 0;; ++reread) {
    // Without an expected sequence, the version this repo last saw saves reading the head; the
    // head's condition still guards the write, and a stale version leads to a reread below.
    std::optional<std::uint64_t> current = expected;
    if (!current && reread == 0) current = state.known_head_version(name);
    if (!current) current = co_await read_version(state, stream.domain, stream.identifier);
    assign_sequences(events, stream, *current);
    co_await build_items(state, stream, events, items, sizes);
    const std::vector<transaction_chunk> chunks = plan_transactions(stream, *current, sizes);
    bool replan = false;
    for (std::size_t c = 0; c < chunks.size() && !replan; ++c) {
      const std::optional<std::uint64_t> actual =
          co_await write_chunk(state, chunks[c], events, items);
      if (!actual) continue;
      state.forget_head_version(name);
      // With no expected sequence the caller accepts any version: start again from the one
      // found, as long as nothing of this stream is written yet.
      if (!expected && c == 0 && reread + 1 < max_head_rereads) {
        replan = true;
        break;
      }
      throw concurrency_error(stream.domain, stream.identifier, chunks[c].expected_version,
                              *actual);
    }
    if (!replan) {
      state.remember_head_version(name, chunks.back().new_version);
      co_return;
    }
  }
}

std::string stream_list(const std::vector<stream_write>& writes, const std::vector<char>& pick) {
  std::string list;
  for (std::size_t s = 0; s < writes.size(); ++s) {
    if (!pick[s]) continue;
    if (!list.empty()) list += ", ";
    list += stream_name(writes[s].stream.domain, writes[s].stream.identifier);
  }
  return list.empty() ? "none" : list;
}

/// Writes the streams, up to max_concurrent_streams at once, each in order. After a failure no
/// further stream is started; the error says which streams were written.
asio::awaitable<void> write_streams(std::shared_ptr<repo_state> state, std::vector<event>& events,
                                    const std::vector<stream_write>& writes) {
  if (writes.empty()) co_return;
  const std::size_t workers =
      std::clamp<std::size_t>(state->options.max_concurrent_streams, 1, writes.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<char> written(writes.size(), 0);
  std::vector<std::exception_ptr> errors(writes.size());
  const auto worker = [&]() -> asio::awaitable<void> {
    for (std::size_t s = next++; s < writes.size() && !failed; s = next++) {
      try {
        co_await append_stream(*state, events, writes[s]);
        written[s] = 1;
      } catch (...) {
        errors[s] = std::current_exception();
        failed = true;
      }
    }
  };
  if (workers == 1) {
    co_await worker();
  } else {
    using worker_op = decltype(asio::co_spawn(
        state->executor, std::declval<asio::awaitable<void>>(), asio::deferred));
    std::vector<worker_op> ops;
    for (std::size_t w = 0; w < workers; ++w)
      ops.push_back(asio::co_spawn(state->executor, worker(), asio::deferred));
    co_await asio::experimental::make_parallel_group(std::move(ops))
        .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  }
  const auto first_error = std::find_if(errors.begin(), errors.end(),
                                        [](const std::exception_ptr& e) { return bool(e); });
  if (first_error == errors.end()) co_return;
  if (writes.size() == 1) std::rethrow_exception(*first_error);
  std::vector<char> unwritten(writes.size());
  for (std::size_t s = 0; s < writes.size(); ++s) unwritten[s] = !written[s];
  const std::string report = "streams written completely: " + stream_list(writes, written) +
                             "; not written or written in part: " + stream_list(writes, unwritten);
  state->log(log_level::error, "append failed; " + report);
  try {
    std::rethrow_exception(*first_error);
  } catch (const concurrency_error&) {
    throw;  // typed: callers branch on it; the log names the streams written
  } catch (const duplicate_event_error&) {
    throw;
  } catch (const boost::system::system_error& error) {
    throw boost::system::system_error(error.code(),
                                      std::string(error.what()) + " (" + report + ")");
  }
}

}  // namespace

asio::awaitable<std::vector<event>> append_events(std::shared_ptr<repo_state> state,
                                                  std::vector<event> events,
                                                  append_options options) {
  std::vector<bool> caller_ids(events.size());
  std::vector<bool> caller_times(events.size());
  for (std::size_t p = 0; p < events.size(); ++p) {
    caller_ids[p] = !events[p].id.empty();
    caller_times[p] = events[p].created.has_value();
  }
  const auto untimed = std::count(caller_times.begin(), caller_times.end(), false);
  prepare_events(events, state->reserve_times(static_cast<std::size_t>(untimed)));
  check_sizes(*state, events);
  const std::vector<std::optional<event>> stored =
      co_await find_stored(state, events, caller_ids, caller_times);
  const std::vector<stream_write> writes =
      plan_stream_writes(events, stored, options.expected_sequence);
  std::set<std::chrono::year_month> month_set;
  for (std::size_t p = 0; p < events.size(); ++p)
    if (!stored[p]) month_set.insert(month_of(*events[p].created));
  // Recorded before the events are written, so a crash in between never hides events from
  // replay. A named vector: GCC 12 mishandles temporaries of a co_await statement.
  std::vector<std::chrono::year_month> months(month_set.begin(), month_set.end());
  if (!months.empty()) co_await state->cover_months(std::move(months));
  co_await write_streams(state, events, writes);
  co_return events;
}

}  // namespace evstore
