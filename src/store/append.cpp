// repo::append: validate, recognise events already stored, offload oversized payloads, then one
// chain of transactions per stream, streams written concurrently.

#include <algorithm>
#include <atomic>
#include <set>
#include <variant>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "append_outcome.hpp"
#include "append_steps.hpp"
#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "repo_state.hpp"
#include "store/append_token.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Times in a row a stream's append is planned again after its head moved (without expected
/// sequence) or had a later lastCreated, before the conflict reaches the caller.
constexpr unsigned max_head_rereads = 5;

/// What the streams of one append share.
struct append_call {
  std::vector<event>& events;
  const std::vector<bool>& caller_ids;
  const std::vector<bool>& caller_times;
  /// The time of events without one (unless their stream's head is later).
  timestamp now;
  /// Per position: the event is stored (written by this call or found stored).
  std::vector<char> stored;
  /// Per position: a transaction carrying the event has an unknown outcome.
  std::vector<char> in_doubt;
};

/// The positions among `positions` whose id the caller chose.
std::vector<std::size_t> caller_chosen(const append_call& call,
                                       const std::vector<std::size_t>& positions) {
  std::vector<std::size_t> chosen;
  for (const std::size_t p : positions)
    if (call.caller_ids[p]) chosen.push_back(p);
  return chosen;
}

/// Writes one chunk; retries conflicts with other transactions. Returns nullopt when written,
/// the head as it is when its condition failed. The chunk's items are moved out of `items`
/// into the request, which every attempt sends again with its own token. When the outcome is
/// left unknown (or the append is cancelled while the request is in flight) the chunk's events
/// are marked in doubt.
asio::awaitable<std::optional<stream_head>> write_chunk(repo_state& state, append_call& call,
                                                        const transaction_chunk& chunk,
                                                        std::vector<ddb::item>& items) {
  const std::vector<event>& events = call.events;
  const std::string stream = stream_name(chunk.domain, chunk.identifier);
  const transaction_digest content = transaction_content_digest(state.table, chunk, items);
  std::vector<ddb::item> chunk_items;
  chunk_items.reserve(chunk.positions.size());
  for (const std::size_t p : chunk.positions) chunk_items.push_back(std::move(items[p]));
  ddb::transact_write_items_request request =
      build_transaction(state, chunk, std::move(chunk_items));
  // The head Update comes first, then the chunk's Puts in order.
  const ddb::item& first_item = std::get<ddb::transact_put>(request.items.at(1)).item;
  const std::string event_range = "events '" + events[chunk.positions.front()].id + "' .. '" +
                                  events[chunk.positions.back()].id + "' to stream " + stream;
  const auto mark_in_doubt = [&] {
    for (const std::size_t p : chunk.positions) call.in_doubt[p] = 1;
  };
  // The read-back of an earlier attempt cut short by the caller: the chunk stays in doubt.
  const auto throw_cancelled_read_back = [&] {
    throw boost::system::system_error(
        asio::error::operation_aborted,
        "the append was cancelled while reading back whether the transaction appending " +
            event_range + " was applied: it may or may not have been");
  };
  for (unsigned attempt = 1;; ++attempt) {
    request.client_request_token = client_request_token(content, attempt);
    std::optional<cancellation_verdict> verdict;
    std::string failure;
    bool unknown = false;
    // A cancelled transaction comes back as a value: a conflict raises no exception.
    ddb::transact_write_items_answer answer;
    try {
      answer = co_await state.ddb.try_transact_write_items(request);
    } catch (const boost::system::system_error& error) {
      // Transport failures after the retries: the request may have reached DynamoDB.
      unknown = true;
      failure = error.what();
    }
    if (const auto* error = std::get_if<ddb::service_error>(&answer)) {
      if (leaves_outcome_open(*error)) {
        unknown = true;
        failure = error->what();
      } else if (error->code() != ddb::errc::transaction_canceled) {
        throw *error;
      } else {
        verdict = classify_cancellation(chunk, events, error->cancellation_reasons());
        failure = error->what();
      }
    } else if (!unknown) {
      co_return std::nullopt;
    }
    // Read inline: awaiting a coroutine once cancelled throws before it runs.
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (unknown && cancellation.cancelled() != asio::cancellation_type::none) {
      // No more requests once the caller cancelled: the outcome stays open.
      mark_in_doubt();
      throw boost::system::system_error(
          asio::error::operation_aborted,
          "the append was cancelled while the transaction appending " + event_range +
              " was in flight: it may or may not have been applied");
    }
    if (unknown) {
      bool applied = false;
      try {
        applied = co_await chunk_applied(state, first_item);
      } catch (const boost::system::system_error& error) {
        failure += "; reading it back failed too: " + std::string(error.what());
      }
      if (applied) co_return std::nullopt;
      mark_in_doubt();
      if (cancellation.cancelled() != asio::cancellation_type::none) throw_cancelled_read_back();
      throw boost::system::system_error(
          make_error_code(store_errc::outcome_unknown),
          "appending " + event_range + " may or may not have been applied (" + failure +
              "); append the same events again with the same ids: identical events already "
              "stored are recognised and not written twice");
    }
    switch (verdict->verdict) {
      case cancellation_verdict::kind::version_conflict:
      case cancellation_verdict::kind::duplicate_event: {
        // An earlier send of this chunk may have been applied with its response lost.
        bool applied = false;
        try {
          applied = co_await chunk_applied(state, first_item);
        } catch (const boost::system::system_error& error) {
          if (error.code() != asio::error::operation_aborted) throw;
          mark_in_doubt();
          throw_cancelled_read_back();
        }
        if (applied) co_return std::nullopt;
        if (verdict->verdict == cancellation_verdict::kind::duplicate_event) {
          // Stored since it was looked up (by another call, or by an attempt of this one that
          // reached the server late): the stream is planned again from its head, which looks
          // the chunk's ids up and takes identical events as stored. A generated id is new.
          const bool chosen =
              std::any_of(chunk.positions.begin(), chunk.positions.end(), [&](std::size_t p) {
                return call.caller_ids[p] && events[p].id == verdict->event_id;
              });
          if (!chosen) throw duplicate_event_error(verdict->event_id);
          co_return co_await read_head(state, chunk.domain, chunk.identifier);
        }
        if (verdict->actual_version)
          co_return stream_head{*verdict->actual_version, verdict->actual_last_created};
        co_return co_await read_head(state, chunk.domain, chunk.identifier);
      }
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

/// The stream's positions from chunk `first` on.
stream_events rest_of(const stream_events& stream, const std::vector<transaction_chunk>& chunks,
                      std::size_t first) {
  stream_events rest{stream.domain, stream.identifier, {}};
  for (std::size_t c = first; c < chunks.size(); ++c)
    rest.positions.insert(rest.positions.end(), chunks[c].positions.begin(),
                          chunks[c].positions.end());
  return rest;
}

/// Ids looked up at once can straddle a transaction applied meanwhile (the same events sent by
/// another call, or by this call's cancelled attempt still on its way to the server): its later
/// events found, its earlier ones not. The caller-chosen ids of `stream` not found before a
/// found one are looked up again once every lookup has ended, which sees that transaction whole;
/// a gap left after that is a duplicate (plan_stream_write refuses it).
asio::awaitable<void> look_up_gaps_again(std::shared_ptr<repo_state> state, const append_call& call,
                                         const stream_events& stream,
                                         std::vector<std::optional<event>>& stored) {
  const auto last_found = std::find_if(stream.positions.rbegin(), stream.positions.rend(),
                                       [&](std::size_t p) { return bool(stored[p]); });
  std::vector<std::size_t> gaps;
  for (auto it = last_found.base(); it != stream.positions.begin();) {
    const std::size_t p = *--it;
    if (!stored[p] && call.caller_ids[p]) gaps.push_back(p);
  }
  if (gaps.empty()) co_return;
  std::vector<std::optional<event>> again =
      co_await find_stored(state, call.events, gaps, call.caller_times);
  for (const std::size_t p : gaps) stored[p] = std::move(again[p]);
}

/// Looks the caller-chosen ids at `lookups` up again; when some lead `stream` stored (the same
/// events appended by another call meanwhile), takes them out of `stream` and marks them
/// stored, sets `expected` (when given) to the last one's sequence, and returns true. Throws
/// duplicate_event_error for an id stored with other content or after an event still to write.
asio::awaitable<bool> adopt_stored(std::shared_ptr<repo_state> state, append_call& call,
                                   const std::vector<std::size_t>& lookups, stream_events& stream,
                                   std::optional<std::uint64_t>& expected) {
  const std::vector<std::size_t> chosen = caller_chosen(call, lookups);
  if (chosen.empty()) co_return false;
  std::vector<std::optional<event>> stored =
      co_await find_stored(state, call.events, chosen, call.caller_times);
  if (std::none_of(chosen.begin(), chosen.end(), [&](std::size_t p) { return bool(stored[p]); }))
    co_return false;
  co_await look_up_gaps_again(state, call, stream, stored);
  stream_write write = plan_stream_write(call.events, stream, stored, expected);
  for (const std::size_t p : chosen)
    if (stored[p]) call.stored[p] = 1;
  stream = std::move(write.stream);
  expected = write.expected;
  co_return true;
}

/// Makes the table's metadata cover the months of the stream's events (after they were given
/// other times).
asio::awaitable<void> cover_stream_months(repo_state& state, const std::vector<event>& events,
                                          const stream_events& stream) {
  std::set<std::chrono::year_month> month_set;
  for (const std::size_t p : stream.positions) month_set.insert(month_of(*events[p].created));
  std::vector<std::chrono::year_month> months(month_set.begin(), month_set.end());
  if (!months.empty()) co_await state.cover_months(std::move(months));
}

/// Writes a stream's events, chunk after chunk. `head` is the head as known before the call's
/// ids were looked up (nullopt with an expected sequence when not known). A head that moved
/// (without expected sequence) or has a later lastCreated is taken as it is and the rest planned
/// again from it, each later chunk's caller-chosen ids looked up again first: events another
/// call stored meanwhile are taken as stored, never written twice.
asio::awaitable<std::optional<concurrency_error>> append_stream(
    std::shared_ptr<repo_state> state_ptr, append_call& call, stream_write write,
    std::optional<stream_head> head) {
  repo_state& state = *state_ptr;
  std::vector<event>& events = call.events;
  stream_events stream = std::move(write.stream);
  std::optional<std::uint64_t> expected = write.expected;
  const std::string name = stream_name(stream.domain, stream.identifier);
  std::vector<ddb::item> items(events.size());
  std::vector<std::size_t> sizes(events.size());
  // After a conflict, ids may have been stored by others since they were looked up.
  bool check_ids = false;
  unsigned rereads = 0;  // plans in a row that wrote nothing
  for (bool replanned = false; !stream.positions.empty(); replanned = true) {
    if (!expected && !head) head = co_await read_head(state, stream.domain, stream.identifier);
    const std::uint64_t version = expected ? *expected : head->version;
    const std::optional<timestamp> last_created =
        head && head->version == version ? head->last_created : std::nullopt;
    if (replanned) {
      stamp_stream(events, stream.positions, call.caller_times, call.now, last_created);
      co_await cover_stream_months(state, events, stream);
    }
    assign_sequences(events, stream, version);
    co_await build_items(state, stream, events, items, sizes);
    const std::vector<transaction_chunk> chunks = plan_transactions(stream, version, sizes);
    std::optional<stream_head> actual;
    std::size_t c = 0;
    bool adopted = false;
    for (; c < chunks.size(); ++c) {
      if (check_ids) {
        stream = rest_of(stream, chunks, c);
        if (expected) expected = chunks[c].expected_version;
        adopted = co_await adopt_stored(state_ptr, call, chunks[c].positions, stream, expected);
        if (adopted) break;
      }
      actual = co_await write_chunk(state, call, chunks[c], items);
      if (actual) break;
      for (const std::size_t p : chunks[c].positions) call.stored[p] = 1;
      rereads = 0;
    }
    if (adopted) {
      // Others wrote to the stream: its head is read again (or, with an expected sequence, the
      // condition tells).
      head.reset();
      continue;
    }
    if (!actual) {
      const transaction_chunk& last = chunks.back();
      state.remember_head_version(name, {last.new_version, events[last.positions.back()].created});
      co_return std::nullopt;
    }
    const transaction_chunk& failed = chunks[c];
    state.forget_head_version(name);
    stream = rest_of(stream, chunks, c);
    check_ids = true;
    if (expected) expected = failed.expected_version;
    if (expected && actual->version != failed.expected_version) {
      // The caller's version is stale, unless the events are stored by now (the same append
      // sent twice at once).
      if (!co_await adopt_stored(state_ptr, call, failed.positions, stream, expected))
        co_return concurrency_error(stream.domain, stream.identifier, failed.expected_version,
                                    actual->version);
      head.reset();
      continue;
    }
    if (++rereads >= max_head_rereads)
      co_return concurrency_error(stream.domain, stream.identifier, failed.expected_version,
                                  actual->version);
    head = actual;
  }
  co_return std::nullopt;
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
/// further stream is started; the failure is the first failed stream's, its conflict returned,
/// its error thrown (append_events reports what is stored), and the log says which streams
/// were written.
asio::awaitable<std::optional<concurrency_error>> write_streams(
    std::shared_ptr<repo_state> state, append_call& call, const std::vector<stream_write>& writes,
    const std::vector<std::optional<stream_head>>& heads) {
  if (writes.empty()) co_return std::nullopt;
  const std::size_t workers =
      std::clamp<std::size_t>(state->options.max_concurrent_streams, 1, writes.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::vector<char> written(writes.size(), 0);
  std::vector<std::exception_ptr> errors(writes.size());
  std::vector<std::optional<concurrency_error>> conflicts(writes.size());
  const auto worker = [&]() -> asio::awaitable<void> {
    for (std::size_t s = next++; s < writes.size() && !failed; s = next++) {
      try {
        conflicts[s] = co_await append_stream(state, call, writes[s], heads[s]);
        if (conflicts[s]) {
          failed = true;
        } else {
          written[s] = 1;
        }
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
  std::size_t first_failed = 0;
  while (first_failed < writes.size() && !errors[first_failed] && !conflicts[first_failed])
    ++first_failed;
  if (first_failed == writes.size()) co_return std::nullopt;
  if (writes.size() > 1) {
    std::vector<char> unwritten(writes.size());
    for (std::size_t s = 0; s < writes.size(); ++s) unwritten[s] = !written[s];
    state->log(log_level::error,
               "append failed; streams written completely: " + stream_list(writes, written) +
                   "; not written or written in part: " + stream_list(writes, unwritten));
  }
  if (errors[first_failed]) std::rethrow_exception(errors[first_failed]);
  co_return std::move(conflicts[first_failed]);
}

/// The heads of the streams, as the append starts from them: remembered by this repo, or read
/// (concurrently). With an expected sequence a head is read only for a stream with
/// caller-given times (so a time earlier than its latest event is refused before anything is
/// written); otherwise the transaction's condition tells.
asio::awaitable<std::vector<std::optional<stream_head>>> starting_heads(
    std::shared_ptr<repo_state> state, const append_call& call,
    const std::vector<stream_events>& streams, std::optional<std::uint64_t> expected) {
  std::vector<std::optional<stream_head>> heads(streams.size());
  std::vector<std::size_t> reads;
  for (std::size_t s = 0; s < streams.size(); ++s) {
    const std::optional<stream_head> known =
        state->known_head_version(stream_name(streams[s].domain, streams[s].identifier));
    if (known && (!expected || known->version == *expected)) {
      heads[s] = known;
      continue;
    }
    const bool timed = std::any_of(streams[s].positions.begin(), streams[s].positions.end(),
                                   [&](std::size_t p) { return call.caller_times[p]; });
    if (!expected || timed) reads.push_back(s);
  }
  const std::vector<stream_head> found = co_await read_concurrently<stream_head>(
      state->executor, reads.size(), concurrent_head_reads, [&](std::size_t k) {
        return read_head(*state, streams[reads[k]].domain, streams[reads[k]].identifier);
      });
  for (std::size_t k = 0; k < reads.size(); ++k) heads[reads[k]] = found[k];
  co_return heads;
}

/// The events of the call that are stored, in call order.
std::vector<event> stored_events(const append_call& call) {
  std::vector<event> stored;
  for (std::size_t p = 0; p < call.events.size(); ++p)
    if (call.stored[p]) stored.push_back(call.events[p]);
  return stored;
}

/// The call's events as a caller sends them again to settle it: ids as generated, times and
/// sequences only where stored or given.
std::vector<event> events_to_resend(const append_call& call) {
  std::vector<event> resend = call.events;
  for (std::size_t p = 0; p < resend.size(); ++p) {
    if (call.stored[p]) continue;
    resend[p].sequence = 0;
    if (!call.caller_times[p]) resend[p].created.reset();
  }
  return resend;
}

/// Records in `error` what of the call is stored and how to settle it.
void set_outcome(append_error& error, const append_call& call) {
  error.set_outcome(
      stored_events(call), events_to_resend(call),
      std::find(call.in_doubt.begin(), call.in_doubt.end(), 1) != call.in_doubt.end());
}

}  // namespace

// GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
// bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<append_outcome> append_events(std::shared_ptr<repo_state> state,
                                              std::vector<event> events, append_options options) {
  state->check_open("append");
  std::vector<bool> caller_ids(events.size());
  std::vector<bool> caller_times(events.size());
  for (std::size_t p = 0; p < events.size(); ++p) {
    caller_ids[p] = !events[p].id.empty();
    caller_times[p] = events[p].created.has_value();
  }
  // Events without a time share this one (given again once their stream's head is known).
  const timestamp now = state->reserve_times();
  for (event& e : events)
    if (!e.created) e.created = now;
  prepare_events(events, now);
  check_sizes(*state, events);
  append_call call{events,
                   caller_ids,
                   caller_times,
                   now,
                   std::vector<char>(events.size()),
                   std::vector<char>(events.size())};
  try {
    const std::vector<stream_events> streams = group_by_stream(events);
    // Read before the ids are looked up: a call storing one of them later moves the head past
    // the version read, so this append's condition fails and the ids are looked up again.
    const std::vector<std::optional<stream_head>> heads =
        co_await starting_heads(state, call, streams, options.expected_sequence);
    std::vector<std::size_t> positions(events.size());
    for (std::size_t p = 0; p < positions.size(); ++p) positions[p] = p;
    std::vector<std::optional<event>> stored =
        co_await find_stored(state, events, caller_chosen(call, positions), caller_times);
    for (const stream_events& stream : streams)
      co_await look_up_gaps_again(state, call, stream, stored);
    std::vector<stream_write> writes;
    std::set<std::chrono::year_month> month_set;
    for (std::size_t s = 0; s < streams.size(); ++s) {
      writes.push_back(plan_stream_write(events, streams[s], stored, options.expected_sequence));
      const stream_write& write = writes.back();
      const std::uint64_t version = write.expected ? *write.expected
                                    : heads[s]     ? heads[s]->version
                                                   : 0;
      stamp_stream(
          events, write.stream.positions, caller_times, now,
          heads[s] && heads[s]->version == version ? heads[s]->last_created : std::nullopt);
      for (const std::size_t p : write.stream.positions)
        month_set.insert(month_of(*events[p].created));
    }
    for (std::size_t p = 0; p < events.size(); ++p)
      if (stored[p]) call.stored[p] = 1;
    // Recorded before the events are written, so a crash in between never hides events from
    // replay.
    std::vector<std::chrono::year_month> months(month_set.begin(), month_set.end());
    if (!months.empty()) co_await state->cover_months(std::move(months));
    std::optional<concurrency_error> conflict = co_await write_streams(state, call, writes, heads);
    if (conflict) {
      set_outcome(*conflict, call);
      co_return append_outcome::refused(std::move(*conflict));
    }
  } catch (append_error& error) {
    set_outcome(error, call);
    throw;
  } catch (const boost::system::system_error& error) {
    append_error outcome(error.code(), message_of(error));
    set_outcome(outcome, call);
    std::throw_with_nested(std::move(outcome));
  }
  co_return append_outcome::appended(std::move(events));
}
#pragma GCC diagnostic pop

}  // namespace evstore
