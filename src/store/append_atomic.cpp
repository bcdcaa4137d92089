// repo::append_atomic: events for several streams, each with its own expectation, and streams only
// checked, in one TransactWriteItems call, all or nothing.

#include <algorithm>
#include <set>
#include <variant>

#include <boost/asio/error.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include "append_outcome.hpp"
#include "append_steps.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "repo_state.hpp"
#include "store/append_token.hpp"
#include "store/item_codec.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Plans in a row (heads read, call sent) cancelled because heads moved while every
/// expectation still held (streams expecting `any` or `exists`, or a later lastCreated), before
/// the conflict reaches the caller.
constexpr unsigned max_plans = 5;

/// The request's events, flattened in write order.
struct atomic_call {
  std::vector<event> events;
  std::vector<std::vector<std::size_t>> positions;  ///< per write
  std::vector<bool> caller_ids;
  std::vector<bool> caller_times;
  timestamp now{};
  bool in_doubt = false;
};

/// The ConditionCheck of a checked stream: its head's version meets the expectation.
ddb::transact_condition_check build_check(const repo_state& state,
                                          const atomic_stream_check& check) {
  ddb::transact_condition_check action;
  action.table_name = state.table;
  action.key = head_item_key(check.domain, check.identifier);
  action.names = {{"#version", "version"}};
  const std::uint64_t expected =
      check.expectation.what == stream_expectation::kind::exact ? check.expectation.version : 0;
  action.values = {{":expected", ddb::attribute_value::number(expected)}};
  switch (check.expectation.what) {
    case stream_expectation::kind::exact:
      action.condition_expression = expected == 0
                                        ? "attribute_not_exists(#version) OR #version = :expected"
                                        : "#version = :expected";
      break;
    case stream_expectation::kind::no_stream:
      action.condition_expression = "attribute_not_exists(#version) OR #version = :expected";
      break;
    case stream_expectation::kind::exists:
    case stream_expectation::kind::any:  // refused by check_atomic_request
      action.condition_expression = "attribute_exists(#version) AND #version > :expected";
      break;
  }
  action.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  return action;
}

std::string name_of(const atomic_stream_write& write) {
  return stream_name(write.domain, write.identifier);
}

/// Every stream's head (writes, then checks), read strongly consistently.
asio::awaitable<std::vector<stream_head>> read_heads(std::shared_ptr<repo_state> state,
                                                     const atomic_append& request) {
  const std::size_t writes = request.writes.size();
  co_return co_await read_concurrently<stream_head>(
      state->executor, writes + request.checks.size(), concurrent_head_reads, [&](std::size_t k) {
        return k < writes
                   ? read_head(*state, request.writes[k].domain, request.writes[k].identifier)
                   : read_head(*state, request.checks[k - writes].domain,
                               request.checks[k - writes].identifier);
      });
}

/// The streams whose version (`versions`: writes, then checks) does not meet its expectation.
std::vector<stream_conflict> unmet(const atomic_append& request,
                                   const std::vector<std::optional<std::uint64_t>>& versions) {
  std::vector<stream_conflict> conflicts;
  const std::size_t writes = request.writes.size();
  for (std::size_t k = 0; k < versions.size(); ++k) {
    if (!versions[k]) continue;
    const bool check = k >= writes;
    const stream_expectation& expected =
        check ? request.checks[k - writes].expectation : request.writes[k].expectation;
    if (expected.met_by(*versions[k])) continue;
    conflicts.push_back(
        {check ? request.checks[k - writes].domain : request.writes[k].domain,
         check ? request.checks[k - writes].identifier : request.writes[k].identifier, check,
         expected, *versions[k]});
  }
  return conflicts;
}

/// What of the request is stored: every event (a resend of an applied call: true, `events` set
/// to the stored ones), or none (false). Some but not all is refused: an atomic append is
/// stored whole or not at all, so those events were stored by another call. Ids looked up at
/// once can straddle this call's transaction applied meanwhile (an attempt that reached the
/// server late): the ids not found are looked up again once before that conclusion.
asio::awaitable<bool> already_stored(std::shared_ptr<repo_state> state, atomic_call& call) {
  std::vector<std::size_t> chosen;
  for (std::size_t p = 0; p < call.events.size(); ++p)
    if (call.caller_ids[p]) chosen.push_back(p);
  if (chosen.empty()) co_return false;
  std::vector<std::optional<event>> stored =
      co_await find_stored(state, call.events, chosen, call.caller_times);
  const auto count_found = [&] {
    return static_cast<std::size_t>(std::count_if(
        stored.begin(), stored.end(), [](const std::optional<event>& e) { return e.has_value(); }));
  };
  std::size_t found = count_found();
  if (found == 0) co_return false;
  if (found < chosen.size()) {
    std::vector<std::size_t> missing;
    for (const std::size_t p : chosen)
      if (!stored[p]) missing.push_back(p);
    std::vector<std::optional<event>> again =
        co_await find_stored(state, call.events, missing, call.caller_times);
    for (const std::size_t p : missing) stored[p] = std::move(again[p]);
    found = count_found();
  }
  if (found < call.events.size()) {
    const auto first = std::find_if(stored.begin(), stored.end(),
                                    [](const std::optional<event>& e) { return e.has_value(); });
    throw boost::system::system_error(
        make_error_code(store_errc::duplicate_event),
        "event '" + (*first)->id + "' is already stored, but not every event of this atomic " +
            "append is: an atomic append is stored whole or not at all, so another call stored " +
            "it, or this call was sent again without the ids the store generated (send " +
            "append_error::resend_events()); nothing was written");
  }
  for (std::size_t p = 0; p < call.events.size(); ++p) call.events[p] = *stored[p];
  co_return true;
}

/// Whether the call is applied: every item it Puts is stored as written. The first is read
/// alone (in a conflict it is usually missing); the rest only when it is there, since another
/// call may have stored an identical event under the same id.
asio::awaitable<bool> call_applied(std::shared_ptr<repo_state> state,
                                   const ddb::transact_write_items_request& tx) {
  std::vector<const ddb::item*> puts;
  for (const ddb::transact_write_item& action : tx.items)
    if (const auto* put = std::get_if<ddb::transact_put>(&action)) puts.push_back(&put->item);
  if (!co_await chunk_applied(*state, *puts.front())) co_return false;
  const std::vector<char> rest =
      co_await read_concurrently<char>(state->executor, puts.size() - 1, concurrent_head_reads,
                                       [&](std::size_t k) -> asio::awaitable<char> {
                                         co_return co_await chunk_applied(*state, *puts[k + 1]);
                                       });
  co_return std::all_of(rest.begin(), rest.end(), [](char applied) { return applied != 0; });
}

/// call_applied; when the caller cancels the read-back, the call is left in doubt.
asio::awaitable<bool> applied_unless_cancelled(std::shared_ptr<repo_state> state, atomic_call& call,
                                               const ddb::transact_write_items_request& tx) {
  try {
    co_return co_await call_applied(state, tx);
  } catch (const boost::system::system_error& error) {
    if (error.code() != asio::error::operation_aborted) throw;
  }
  call.in_doubt = true;
  throw boost::system::system_error(
      asio::error::operation_aborted,
      "the atomic append was cancelled while reading back whether its transaction was applied: "
      "it may or may not have been");
}

/// written: by this call's transaction; found_stored: stored already (the call's events are
/// now the stored ones); replan: to be planned again; conflict: an expectation does not hold.
enum class send_result { written, found_stored, replan, conflict };

/// Sends the planned call (`chunks`: its writes), retrying cancellations by other transactions or
/// throttling. Returns replan when heads moved (or an id turned up stored) while every
/// expectation still holds, with the moved streams in `streams` (expected: the version planned
/// from); conflict with the streams that do not meet their expectations in `streams`.
asio::awaitable<send_result> send(std::shared_ptr<repo_state> state, atomic_call& call,
                                  const atomic_append& request,
                                  const std::vector<transaction_chunk>& chunks,
                                  ddb::transact_write_items_request& tx,
                                  const transaction_digest& content,
                                  const std::vector<atomic_action>& actions,
                                  std::vector<stream_conflict>& streams) {
  for (unsigned attempt = 1;; ++attempt) {
    tx.client_request_token = client_request_token(content, attempt);
    std::optional<atomic_cancellation> verdict;
    std::string failure;
    bool unknown = false;
    // A cancelled transaction comes back as a value: a conflict raises no exception.
    ddb::transact_write_items_answer answer;
    try {
      answer = co_await state->ddb.try_transact_write_items(tx);
    } catch (const boost::system::system_error& error) {
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
        verdict = classify_atomic_cancellation(actions, call.events, error->cancellation_reasons());
        failure = error->what();
      }
    } else if (!unknown) {
      co_return send_result::written;
    }
    const asio::cancellation_state cancellation = co_await asio::this_coro::cancellation_state;
    if (unknown && cancellation.cancelled() != asio::cancellation_type::none) {
      call.in_doubt = true;
      throw boost::system::system_error(
          asio::error::operation_aborted,
          "the atomic append was cancelled while its transaction was in flight: it may or may "
          "not have been applied");
    }
    if (unknown) {
      bool applied = false;
      try {
        applied = co_await applied_unless_cancelled(state, call, tx);
      } catch (const boost::system::system_error& error) {
        if (error.code() == asio::error::operation_aborted) throw;
        failure += "; reading it back failed too: " + std::string(error.what());
      }
      if (applied) co_return send_result::written;
      call.in_doubt = true;
      throw boost::system::system_error(
          make_error_code(store_errc::outcome_unknown),
          "the atomic append may or may not have been applied (" + failure +
              "); send the same request again with the same event ids: a stored one is "
              "recognised and not written twice");
    }
    switch (verdict->verdict) {
      case atomic_cancellation::kind::conditions_failed: {
        // An earlier attempt may have been applied with its answer lost.
        if (co_await applied_unless_cancelled(state, call, tx)) co_return send_result::written;
        const std::size_t writes = request.writes.size();
        std::vector<std::optional<std::uint64_t>> versions(writes + request.checks.size());
        for (const atomic_stream_failure& f : verdict->failures) {
          const std::size_t k = f.what == atomic_action::kind::check ? writes + f.stream : f.stream;
          const std::string& domain =
              k < writes ? request.writes[k].domain : request.checks[k - writes].domain;
          const std::string& identifier =
              k < writes ? request.writes[k].identifier : request.checks[k - writes].identifier;
          state->forget_head_version(stream_name(domain, identifier));
          // No item: a missing head, or one DynamoDB did not return.
          versions[k] = f.actual_version ? *f.actual_version
                                         : (co_await read_head(*state, domain, identifier)).version;
        }
        std::vector<stream_conflict> conflicts = unmet(request, versions);
        if (!conflicts.empty()) {
          // Heads moved by this call's own events stored since they were looked up (an attempt
          // that reached the server late, or the same request sent twice at once) are no
          // conflict.
          if (co_await already_stored(state, call)) co_return send_result::found_stored;
          state->log(log_level::debug,
                     "atomic append cancelled by its conditions (" + verdict->summary + ")");
          streams = std::move(conflicts);
          co_return send_result::conflict;
        }
        for (std::size_t k = 0; k < versions.size(); ++k) {
          if (!versions[k]) continue;
          if (k < writes)
            streams.push_back({request.writes[k].domain, request.writes[k].identifier, false,
                               stream_expectation::exactly(chunks[k].expected_version),
                               *versions[k]});
          else
            streams.push_back({request.checks[k - writes].domain,
                               request.checks[k - writes].identifier, true,
                               request.checks[k - writes].expectation, *versions[k]});
        }
        state->log(log_level::debug, "atomic append cancelled (" + verdict->summary +
                                         "); every expectation still holds: planning again");
        co_return send_result::replan;
      }
      case atomic_cancellation::kind::duplicate_event:
        if (co_await applied_unless_cancelled(state, call, tx)) co_return send_result::written;
        // The next plan looks the ids up again.
        co_return send_result::replan;
      case atomic_cancellation::kind::retryable:
        if (attempt < max_transaction_attempts) {
          state->log(log_level::debug,
                     "atomic append cancelled (" + verdict->summary + "); retrying");
          co_await state->backoff(attempt, std::chrono::milliseconds{25},
                                  std::chrono::milliseconds{2000});
          continue;
        }
        [[fallthrough]];
      case atomic_cancellation::kind::fatal:
        throw boost::system::system_error(
            make_error_code(ddb::errc::transaction_canceled),
            "the atomic append's transaction was cancelled after " + std::to_string(attempt) +
                " attempt(s): " + verdict->summary + " (" + failure + ")");
    }
  }
}

/// What one plan of the call came to: stored (written or found stored), refused by the streams
/// in `conflicts`, or to be planned again.
enum class plan_result { stored, conflict, replan };

/// Plans the call from the heads as they are and sends it.
asio::awaitable<plan_result> plan_and_send(std::shared_ptr<repo_state> state, atomic_call& call,
                                           const atomic_append& request, unsigned plan,
                                           std::vector<stream_conflict>& conflicts) {
  // Read before the ids are looked up: a call storing one of them later moves a head past the
  // version read, so this call's condition fails and the ids are looked up again.
  const std::vector<stream_head> heads = co_await read_heads(state, request);
  if (co_await already_stored(state, call)) co_return plan_result::stored;
  std::vector<std::optional<std::uint64_t>> versions;
  for (const stream_head& head : heads) versions.push_back(head.version);
  conflicts = unmet(request, versions);
  if (!conflicts.empty()) co_return plan_result::conflict;

  std::vector<transaction_chunk> chunks;
  std::set<std::chrono::year_month> month_set;
  for (std::size_t w = 0; w < request.writes.size(); ++w) {
    const atomic_stream_write& write = request.writes[w];
    const stream_events stream{write.domain, write.identifier, call.positions[w]};
    stamp_stream(call.events, stream.positions, call.caller_times, call.now, heads[w].last_created);
    assign_sequences(call.events, stream, heads[w].version);
    for (const std::size_t p : stream.positions)
      month_set.insert(month_of(*call.events[p].created));
    chunks.push_back({write.domain, write.identifier, heads[w].version,
                      heads[w].version + stream.positions.size(), stream.positions});
  }
  // Recorded before the events are written, so a crash in between never hides events from
  // replay.
  std::vector<std::chrono::year_month> months(month_set.begin(), month_set.end());
  co_await state->cover_months(std::move(months));

  std::vector<ddb::item> items(call.events.size());
  std::vector<std::size_t> sizes(call.events.size());
  for (const transaction_chunk& chunk : chunks) {
    const stream_events stream{chunk.domain, chunk.identifier, chunk.positions};
    co_await build_items(*state, stream, call.events, items, sizes);
  }
  check_atomic_size(sizes);

  const transaction_digest content =
      atomic_transaction_digest(state->table, chunks, request.checks, items);
  ddb::transact_write_items_request tx;
  for (const transaction_chunk& chunk : chunks) {
    std::vector<ddb::item> chunk_items;
    for (const std::size_t p : chunk.positions) chunk_items.push_back(std::move(items[p]));
    ddb::transact_write_items_request part =
        build_transaction(*state, chunk, std::move(chunk_items));
    std::move(part.items.begin(), part.items.end(), std::back_inserter(tx.items));
  }
  for (const atomic_stream_check& check : request.checks)
    tx.items.emplace_back(build_check(*state, check));
  const std::vector<atomic_action> actions = atomic_actions(call.positions, request.checks.size());

  switch (co_await send(state, call, request, chunks, tx, content, actions, conflicts)) {
    case send_result::found_stored:
      co_return plan_result::stored;
    case send_result::conflict:
      co_return plan_result::conflict;
    case send_result::replan:
      // Heads kept moving under this call: reported with the versions it was planned from.
      co_return plan + 1 >= max_plans && !conflicts.empty() ? plan_result::conflict
                                                            : plan_result::replan;
    case send_result::written:
      break;
  }
  for (std::size_t w = 0; w < chunks.size(); ++w)
    state->remember_head_version(
        name_of(request.writes[w]),
        {chunks[w].new_version, call.events[chunks[w].positions.back()].created});
  co_return plan_result::stored;
}

/// The events as a caller sends them again to settle a failure: ids as generated, times only
/// where given.
std::vector<event> events_to_resend(const atomic_call& call) {
  std::vector<event> resend = call.events;
  for (std::size_t p = 0; p < resend.size(); ++p) {
    resend[p].sequence = 0;
    if (!call.caller_times[p]) resend[p].created.reset();
  }
  return resend;
}

}  // namespace

// GCC 12's false positive on this coroutine's frame allocation, as for append_events (append.cpp).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<append_outcome> append_atomic_events(std::shared_ptr<repo_state> state,
                                                     atomic_append request) {
  state->check_open("append_atomic");
  check_atomic_request(request);
  atomic_call call;
  for (atomic_stream_write& write : request.writes) {
    std::vector<std::size_t>& positions = call.positions.emplace_back();
    for (event& e : write.events) {
      positions.push_back(call.events.size());
      call.events.push_back(std::move(e));
    }
    write.events.clear();
  }
  for (const event& e : call.events) {
    call.caller_ids.push_back(!e.id.empty());
    call.caller_times.push_back(e.created.has_value());
  }
  // Events without a time share this one (or their stream head's later lastCreated).
  call.now = state->reserve_times();
  for (event& e : call.events)
    if (!e.created) e.created = call.now;
  prepare_events(call.events, call.now);
  check_atomic_size(check_sizes(*state, call.events));
  try {
    for (unsigned plan = 0; plan < max_plans; ++plan) {
      std::vector<stream_conflict> conflicts;
      switch (co_await plan_and_send(state, call, request, plan, conflicts)) {
        case plan_result::stored:
          co_return append_outcome::appended(std::move(call.events));
        case plan_result::conflict: {
          atomic_conflict_error conflict(std::move(conflicts));
          conflict.set_outcome({}, events_to_resend(call), call.in_doubt);
          co_return append_outcome::refused(std::move(conflict));
        }
        case plan_result::replan:
          break;
      }
    }
    throw boost::system::system_error(
        make_error_code(store_errc::concurrency_conflict),
        "the atomic append's streams kept changing under it (" + std::to_string(max_plans) +
            " plans cancelled) while every expectation held; nothing of it was written");
  } catch (append_error& error) {
    error.set_outcome({}, events_to_resend(call), call.in_doubt);
    throw;
  } catch (const boost::system::system_error& error) {
    if (error.code() == store_errc::invalid_event) throw;
    append_error outcome(error.code(), message_of(error));
    outcome.set_outcome({}, events_to_resend(call), call.in_doubt);
    std::throw_with_nested(std::move(outcome));
  }
}

#pragma GCC diagnostic pop

}  // namespace evstore
