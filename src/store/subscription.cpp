// repo::subscribe: a sweep of the time index in replay order up to a horizon behind now, a
// trailing window re-read for late arrivals, and per-stream gap checks filled from the stream
// index (docs/subscriptions.md). The bookkeeping without I/O is in subscription_state.

#include <algorithm>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "background_tasks.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "month_buckets.hpp"
#include "repo_state.hpp"
#include "start_operation.hpp"
#include "store/item_codec.hpp"
#include "store/replay_order.hpp"
#include "store/subscription_state.hpp"
#include "stream_index.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;
namespace chr = std::chrono;
using steady = chr::steady_clock;

/// Index pages one read of a bucket takes at most (1 MB each): a bound, not an expected size.
constexpr std::size_t max_pages_per_read = 10'000;
constexpr std::size_t max_page_size = 100'000;

std::string month_start(chr::year_month month) {
  return format_iso8601(timestamp{chr::sys_days{month / 1}});
}

/// Index keys of `bucket` with `created` from `from` (inclusive, "" for open) to `before`
/// (exclusive). One key condition compares the sort key once, so `before` is asked for
/// inclusively and the reader drops entries equal to it.
ddb::query_request keys_request(const repo_state& state, std::string bucket,
                                const std::string& from, const std::string& before) {
  ddb::query_request request;
  request.table_name = state.table;
  request.index_name = std::string(time_bucket_index);
  request.names = {{"#bucket", "timeBucket"}, {"#created", "created"}};
  request.values = {{":bucket", ddb::attribute_value::string(std::move(bucket))},
                    {":before", ddb::attribute_value::string(before)}};
  if (from.empty()) {
    request.key_condition_expression = "#bucket = :bucket AND #created <= :before";
  } else {
    request.values.emplace(":from", ddb::attribute_value::string(from));
    request.key_condition_expression = "#bucket = :bucket AND #created BETWEEN :from AND :before";
  }
  return request;
}

/// A bucket's keys read for one sweep page.
struct bucket_keys {
  std::vector<index_key> keys;
  /// Set when the bucket holds more: its keys are complete only before this `created`.
  std::optional<std::string> complete_before;
};

/// A read of the trailing window's keys: under way, or finished and not yet delivered.
struct late_keys_read {
  bool reading = false;
  std::optional<std::vector<index_key>> keys;
  std::exception_ptr error;
};

/// Every index key with `created` from `from` (inclusive) to `before` (exclusive).
asio::awaitable<std::vector<index_key>> read_window_keys(std::shared_ptr<repo_state> state,
                                                         unsigned shards, std::string from,
                                                         std::string before) {
  std::vector<index_key> keys;
  const chr::year_month first = from.empty() ? month_of_created(before) : month_of_created(from);
  for (chr::year_month month = first; month <= month_of_created(before); month += chr::months{1}) {
    for (std::string& bucket : buckets_of(month, shards)) {
      ddb::query_request request = keys_request(*state, std::move(bucket), from, before);
      for (std::size_t page = 0; page < max_pages_per_read; ++page) {
        ddb::query_result result = co_await state->ddb.query(request);
        for (const ddb::item& entry : result.items) {
          index_key key = index_key_of(entry);
          if (key.created != before) keys.push_back(std::move(key));
        }
        if (!result.last_evaluated_key) break;
        request.exclusive_start_key = std::move(result.last_evaluated_key);
      }
    }
  }
  co_return keys;
}

bool matches(const std::vector<std::string>& wanted, const std::string& value) {
  return wanted.empty() || std::find(wanted.begin(), wanted.end(), value) != wanted.end();
}

}  // namespace

class subscription::follower {
 public:
  follower(std::shared_ptr<repo_state> state, subscription_options options)
      : state_(std::move(state)),
        options_(std::move(options)),
        timer_(state_->executor),
        tasks_(std::make_shared<background_tasks>(state_->executor)) {
    options_.page_size = std::clamp<std::size_t>(options_.page_size, 1, max_page_size);
    options_.horizon = std::max(options_.horizon, chr::milliseconds{0});
    options_.late_window = std::max(options_.late_window, chr::milliseconds{0});
    if (options_.checkpoint) checkpoint_ = *options_.checkpoint;
  }

  ~follower() { tasks_->cancel(); }
  follower(const follower&) = delete;
  follower& operator=(const follower&) = delete;

  const asio::any_io_executor& executor() const noexcept { return state_->executor; }

  asio::awaitable<std::optional<subscription_page>> next() {
    if (stopped_) co_return std::nullopt;
    if (failed_) std::rethrow_exception(failed_);
    try {
      co_return co_await follow();
    } catch (...) {
      // A poll cut short (a failure, or the caller's cancellation) may have taken events it
      // never returned: the subscription stays failed; checkpoint() is still where the
      // returned events end, for a new subscription to resume from.
      failed_ = std::current_exception();
    }
    tasks_->cancel();
    std::rethrow_exception(failed_);
  }

  void stop() {
    stopped_ = true;
    timer_.cancel();
    tasks_->cancel();
  }

  std::string checkpoint() const { return checkpoint_; }

  subscription_stats stats() const { return stats_; }

 private:
  asio::awaitable<std::optional<subscription_page>> follow() {
    state_->check_open("subscription next()");
    if (!tracker_) {
      co_await start();
      state_->track(tasks_);
      checkpoint_ = live_checkpoint();
    }
    for (;;) {
      bool caught_up = false;
      std::vector<event> events = co_await poll(caught_up);
      checkpoint_ = live_checkpoint();
      if (!events.empty()) {
        last_returned_ = steady::now();
        co_return subscription_page{std::move(events), checkpoint_};
      }
      if (stopped_) co_return std::nullopt;
      if (options_.idle_limit && steady::now() - last_returned_ >= *options_.idle_limit) {
        last_returned_ = steady::now();  // a later call waits as long again
        co_return std::nullopt;
      }
      if (caught_up) {
        timer_.expires_after(options_.poll_interval);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        if (stopped_) co_return std::nullopt;
        state_->check_open("subscription next()");
      }
    }
  }

  /// The checkpoint after every event taken so far.
  std::string live_checkpoint() const {
    if (!tracker_) return {};
    subscription_checkpoint saved;
    saved.swept = swept_;
    saved.floor = std::max(tracker_->floor(), created_before(swept_, options_.late_window));
    saved.streams = tracker_->positions_since(saved.floor);
    return encode_checkpoint(saved);
  }

  asio::awaitable<void> start() {
    // The shard count of the table (and a check that it is there).
    co_await state_->read_metadata();
    shards_ = state_->time_bucket_shards();
    if (options_.checkpoint) {
      subscription_checkpoint saved = decode_checkpoint(*options_.checkpoint);
      swept_ = std::move(saved.swept);
      origin_ = saved.floor;
      tracker_.emplace(std::move(saved.floor), saved.streams);
    } else if (options_.from == subscription_start::now) {
      swept_ = format_iso8601(now_ms());
      origin_ = swept_;
      tracker_.emplace(origin_, std::vector<stream_position>{});
    } else {
      tracker_.emplace(std::string{}, std::vector<stream_position>{});
    }
    if (swept_.empty()) {
      // From the beginning: the sweep starts at the first month holding events.
      const std::optional<month_range> months = co_await state_->event_months();
      swept_ = month_start(months ? months->first : month_of(now_ms()));
    }
    last_returned_ = steady::now();
    next_late_scan_ = steady::now();
  }

  /// One round: the trailing window when due, then one page of the sweep. `caught_up`: the
  /// sweep reached the horizon (or waits for a stream's earlier event), so the caller waits.
  asio::awaitable<std::vector<event>> poll(bool& caught_up) {
    std::vector<event> out;
    const std::string horizon = format_iso8601(now_ms() - options_.horizon);
    co_await deliver_late(out);
    start_late_read();
    std::string bound;
    std::vector<index_key> keys = co_await sweep_keys(horizon, bound);
    bool held = false;
    if (!keys.empty()) held = co_await deliver_swept(keys, bound, out);
    swept_ = std::max(swept_, bound);
    caught_up = held || swept_ >= horizon;
    forget_keys_before(late_scan_from());
    std::erase_if(out, [&](const event& e) {
      return !matches(options_.domains, e.domain) || !matches(options_.types, e.type);
    });
    co_return out;
  }

  /// Where the trailing window starts.
  std::string late_scan_from() const {
    return std::max(created_before(swept_, options_.late_window), origin_);
  }

  /// The keys of the next sweep page (whole groups of one `created`, in order) from swept_
  /// on; `bound` is set to the `created` before which every key was read. Empty months up to
  /// the horizon are passed over.
  asio::awaitable<std::vector<index_key>> sweep_keys(const std::string& horizon,
                                                     std::string& bound) {
    bound = swept_;
    if (swept_ >= horizon) co_return std::vector<index_key>{};
    const chr::year_month last = month_of_created(horizon);
    for (chr::year_month month = month_of_created(swept_); month <= last; month += chr::months{1}) {
      const std::string month_end = month < last ? month_start(month + chr::months{1}) : horizon;
      std::vector<index_key> keys;
      std::optional<std::string> complete_before;
      for (std::string& bucket : buckets_of(month, shards_)) {
        bucket_keys read = co_await read_bucket(std::move(bucket), bound, month_end);
        if (read.complete_before)
          complete_before =
              std::min(complete_before.value_or(*read.complete_before), *read.complete_before);
        keys.insert(keys.end(), std::make_move_iterator(read.keys.begin()),
                    std::make_move_iterator(read.keys.end()));
      }
      const std::string page_end = complete_before.value_or(month_end);
      std::erase_if(keys, [&](const index_key& key) { return key.created >= page_end; });
      bound = page_end;
      if (!keys.empty()) {
        std::sort(keys.begin(), keys.end());
        co_return keys;
      }
    }
    co_return std::vector<index_key>{};
  }

  /// About page_size keys of `bucket` from `from` to `before`: more while they all share one
  /// `created`, so a group is never cut.
  asio::awaitable<bucket_keys> read_bucket(std::string bucket, const std::string& from,
                                           const std::string& before) {
    ddb::query_request request = keys_request(*state_, std::move(bucket), from, before);
    request.limit = static_cast<std::int32_t>(options_.page_size);
    bucket_keys read;
    for (std::size_t page = 0; page < max_pages_per_read; ++page) {
      ddb::query_result result = co_await state_->ddb.query(request);
      for (const ddb::item& entry : result.items) {
        index_key key = index_key_of(entry);
        if (key.created != before) read.keys.push_back(std::move(key));
      }
      if (!result.last_evaluated_key) co_return read;
      request.exclusive_start_key = std::move(result.last_evaluated_key);
      if (read.keys.size() >= options_.page_size &&
          read.keys.front().created != read.keys.back().created) {
        read.complete_before = read.keys.back().created;
        co_return read;
      }
    }
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "one `created` of " + std::string(time_bucket_index) +
                                          " in table '" + state_->table + "' spans more than " +
                                          std::to_string(max_pages_per_read) + " pages");
  }

  /// Hydrates the sweep's keys and delivers them in replay order. A stream's event whose
  /// predecessor is not visible yet stops the page there (`bound` moves back to its `created`);
  /// returns whether that happened.
  asio::awaitable<bool> deliver_swept(const std::vector<index_key>& keys, std::string& bound,
                                      std::vector<event>& out) {
    std::vector<decoded_item> items = co_await hydrate_new(keys);
    for (decoded_item& item : items) {
      const std::string created = item.created_key;
      if (!co_await take(std::move(item), out)) {
        ++stats_.held_back;
        bound = std::min(bound, created);
        co_return true;
      }
    }
    co_return false;
  }

  /// Starts reading the trailing window's keys when a read is due and none is under way.
  void start_late_read() {
    if (late_read_->reading || steady::now() < next_late_scan_) return;
    next_late_scan_ = steady::now() + options_.late_scan_interval;
    const std::string from = late_scan_from();
    if (from >= swept_) return;
    late_read_->reading = true;
    tasks_->spawn(read_window_keys(state_, shards_, from, swept_),
                  [read = late_read_](std::exception_ptr error, std::vector<index_key> keys) {
                    read->reading = false;
                    read->error = error;
                    read->keys = std::move(keys);
                  });
  }

  /// Delivers the keys of a finished read of the trailing window not delivered before.
  asio::awaitable<void> deliver_late(std::vector<event>& out) {
    if (late_read_->error) std::rethrow_exception(std::exchange(late_read_->error, nullptr));
    if (!late_read_->keys) co_return;
    std::vector<index_key> keys = std::move(*late_read_->keys);
    late_read_->keys.reset();
    std::vector<decoded_item> items = co_await hydrate_new(keys);
    // One held back stays for the next read; the events after it are judged on their own.
    for (decoded_item& item : items) co_await take(std::move(item), out);
  }

  /// The events of `keys` not delivered before, in replay order.
  asio::awaitable<std::vector<decoded_item>> hydrate_new(const std::vector<index_key>& keys) {
    std::vector<ddb::item> entries;
    for (const index_key& key : keys)
      if (!delivered_keys_.contains(key)) entries.push_back(primary_key_of(key));
    std::vector<decoded_item> items;
    if (entries.empty()) co_return items;
    items = co_await state_->hydrate_items(entries, nullptr);
    sort_in_replay_order(items);
    co_return items;
  }

  // GCC 12 false positive on the frame's operator delete (see emit below).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
  /// Delivers `item` after any earlier events of its stream not delivered yet; false when one
  /// of those is not visible yet (nothing of the stream delivered then).
  asio::awaitable<bool> take(decoded_item item, std::vector<event>& out) {
    const std::string identifier = item.value.identifier.value_or("");
    const index_key key{item.created_key, event_key(item.value.id)};
    if (item.value.sequence == 0) {
      // An event without a stream position (another writer's): only this process's memory of
      // delivered keys keeps it from being delivered twice.
      if (!delivered_keys_.contains(key)) co_await emit(std::move(item), out);
      co_return true;
    }
    const stream_check check = tracker_->check(item.value.domain, identifier, item.value.sequence);
    if (check.verdict == stream_verdict::already_delivered) {
      delivered_keys_.insert(key);
      co_return true;
    }
    if (!tracker_->tracks(item.value.domain, identifier) &&
        tracker_->below_floor(item.created_key)) {
      // A stream not tracked whose event is older than every tracked delivery: delivered before.
      delivered_keys_.insert(key);
      co_return true;
    }
    if (check.verdict == stream_verdict::gap) {
      std::optional<std::vector<decoded_item>> missing =
          co_await earlier_events(item, check.first_missing);
      if (!missing && co_await stream_indexed(item)) co_return false;
      if (!missing)
        state_->log(log_level::warning,
                    "subscription: event " + std::to_string(item.value.sequence) + " of " +
                        stream_name(item.value.domain, identifier) +
                        " is delivered without its stream's earlier events: its item has no `" +
                        std::string(stream_attribute) +
                        "` attribute (written by another tool), so the stream index cannot "
                        "show them; run `evstore migrate` to index such streams");
      else
        for (decoded_item& earlier : *missing) co_await emit(std::move(earlier), out);
    }
    co_await emit(std::move(item), out);
    co_return true;
  }

#pragma GCC diagnostic pop

  /// Whether `item`'s stored item carries the `stream` attribute the stream index is keyed by
  /// (a strongly consistent read of that attribute alone).
  asio::awaitable<bool> stream_indexed(const decoded_item& item) {
    ddb::get_item_request request;
    request.table_name = state_->table;
    request.key = {{"id", ddb::attribute_value::string(event_key(item.value.id))},
                   {"created", ddb::attribute_value::string(item.created_key)}};
    request.consistent_read = true;
    request.projection_expression = "#stream";
    request.names = {{"#stream", std::string(stream_attribute)}};
    const ddb::get_item_result result = co_await state_->ddb.get_item(request);
    co_return !result.item || result.item->contains(std::string(stream_attribute));
  }

  /// The events of `item`'s stream before it that are not delivered, in sequence order, read
  /// from the stream index: from `first_missing` on, or for an untracked stream (0) back to the
  /// first one below the floor. nullopt when the index does not show them all yet.
  asio::awaitable<std::optional<std::vector<decoded_item>>> earlier_events(
      const decoded_item& item, std::uint64_t first_missing) {
    ++stats_.gap_fills;
    const std::uint64_t last = item.value.sequence - 1;
    ddb::query_request request;
    request.table_name = state_->table;
    request.index_name = std::string(stream_index);
    request.key_condition_expression = "#stream = :stream AND #sequence BETWEEN :first AND :last";
    request.names = {{"#stream", std::string(stream_attribute)}, {"#sequence", "sequence"}};
    request.values = {
        {":stream", ddb::attribute_value::string(
                        stream_name(item.value.domain, item.value.identifier.value_or("")))},
        {":first", ddb::attribute_value::number(std::max<std::uint64_t>(first_missing, 1))},
        {":last", ddb::attribute_value::number(last)}};
    // An untracked stream is read backwards until an event below the floor.
    request.scan_index_forward = first_missing != 0;
    // An untracked stream usually needs one entry back.
    request.limit = first_missing != 0 ? 100 : 10;
    std::vector<ddb::item> entries;
    std::vector<std::uint64_t> sequences;
    bool reached_floor = false;
    std::uint64_t floor_sequence = 0;  ///< of the first event found below the floor
    for (std::size_t page = 0; page < max_pages_per_read && !reached_floor; ++page) {
      ddb::query_result result = co_await state_->ddb.query(request);
      for (ddb::item& entry : result.items) {
        const std::uint64_t sequence = entry_sequence(entry);
        if (first_missing == 0 && tracker_->below_floor(entry_created(entry))) {
          reached_floor = true;
          floor_sequence = sequence;
          break;
        }
        sequences.push_back(sequence);
        entries.push_back(std::move(entry));
      }
      if (!result.last_evaluated_key) break;
      request.exclusive_start_key = std::move(result.last_evaluated_key);
    }
    if (first_missing == 0) {
      std::reverse(entries.begin(), entries.end());
      std::reverse(sequences.begin(), sequences.end());
    }
    // Without an event below the floor the run must reach back to the stream's first event.
    const bool complete = fills_gap(sequences, item.value.sequence, first_missing,
                                    reached_floor ? floor_sequence : 0);
    if (!complete) {
      state_->log(log_level::debug,
                  "subscription: event " + std::to_string(item.value.sequence) + " of " +
                      stream_name(item.value.domain, item.value.identifier.value_or("")) +
                      " waits for earlier ones the stream index does not show yet");
      co_return std::nullopt;
    }
    co_return co_await events_of_entries(entries);
  }

  /// The events of stream index entries, in sequence order: decoded from an index projecting
  /// ALL, else read from the table (strongly consistent, so each item the index shows is found).
  asio::awaitable<std::vector<decoded_item>> events_of_entries(
      const std::vector<ddb::item>& entries) {
    std::vector<decoded_item> found;
    if (std::all_of(entries.begin(), entries.end(), entry_holds_event)) {
      for (const ddb::item& entry : entries) found.push_back(event_from_item(entry));
      co_return found;
    }
    found = co_await state_->hydrate_items(entries, nullptr);
    if (found.size() != entries.size())
      throw boost::system::system_error(
          make_error_code(store_errc::corrupt_item),
          "the stream index shows " + std::to_string(entries.size() - found.size()) +
              " events that have no item in the table (deleted?); inspect the table");
    std::sort(found.begin(), found.end(), [](const decoded_item& a, const decoded_item& b) {
      return a.value.sequence < b.value.sequence;
    });
    co_return found;
  }

  // GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
  // bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
  /// Hands `item` out, recording it; an event behind the sweep is counted late, and reported
  /// when it is behind the trailing window too.
  asio::awaitable<void> emit(decoded_item item, std::vector<event>& out) {
    const std::string created = item.created_key;
    delivered_keys_.insert(index_key{created, event_key(item.value.id)});
    if (item.value.sequence != 0)
      tracker_->record(item.value.domain, item.value.identifier.value_or(""), item.value.sequence,
                       created);
    ++stats_.delivered;
    if (created < swept_) {
      if (created < created_before(swept_, options_.late_window)) {
        ++stats_.late_beyond_bound;
        state_->log(log_level::warning,
                    "subscription: event " + item.value.id + " (" +
                        stream_name(item.value.domain, item.value.identifier.value_or("")) + " #" +
                        std::to_string(item.value.sequence) + ", created " + created +
                        ") became visible further behind the sweep (at " + swept_ +
                        ") than the late window of " +
                        std::to_string(options_.late_window.count()) +
                        " ms: delivered late, out of replay order");
      } else {
        ++stats_.late_within_window;
      }
    }
    if (item.offloaded)
      out.push_back(co_await state_->complete(std::move(item)));
    else
      out.push_back(std::move(item.value));
  }
#pragma GCC diagnostic pop

  void forget_keys_before(const std::string& created) {
    delivered_keys_.erase(delivered_keys_.begin(),
                          delivered_keys_.lower_bound(index_key{created, {}}));
  }

  std::shared_ptr<repo_state> state_;
  subscription_options options_;
  asio::steady_timer timer_;
  /// The trailing-window read; cancelled when the subscription stops, fails or is destroyed.
  std::shared_ptr<background_tasks> tasks_;
  bool stopped_ = false;
  std::exception_ptr failed_;
  /// As of the last poll that completed (see live_checkpoint).
  std::string checkpoint_;
  unsigned shards_ = 1;
  /// Every key with `created` before this was swept.
  std::string swept_;
  /// Nothing before this is looked at (the start of a subscription from now, or the floor of
  /// the checkpoint it resumed from).
  std::string origin_;
  std::optional<stream_tracker> tracker_;
  /// Keys delivered (or found delivered) within the trailing window: not hydrated again.
  std::set<index_key> delivered_keys_;
  steady::time_point last_returned_{};
  steady::time_point next_late_scan_{};
  /// The trailing window is read by a task of its own: at 500 events/s a 10 s window is 5,000
  /// keys, whose Query pages would otherwise hold up the sweep (and the latency) each time.
  std::shared_ptr<late_keys_read> late_read_ = std::make_shared<late_keys_read>();
  subscription_stats stats_{};
};

subscription::subscription(std::shared_ptr<repo_state> state, subscription_options options)
    : follower_(std::make_unique<follower>(std::move(state), std::move(options))) {}
subscription::~subscription() = default;
subscription::subscription(subscription&&) noexcept = default;
subscription& subscription::operator=(subscription&&) noexcept = default;

asio::awaitable<std::optional<subscription_page>> subscription::next() {
  return follower_->next();
}
void subscription::stop() {
  follower_->stop();
}
std::string subscription::checkpoint() const {
  return follower_->checkpoint();
}
subscription_stats subscription::stats() const {
  return follower_->stats();
}

subscription::executor_type subscription::get_executor() const {
  return follower_->executor();
}

void subscription::start_next(
    aws::detail::completion_handler<std::optional<subscription_page>> handler, follower* source,
    diagnostics* diag) {
  start_operation(source->executor(), source->next(), std::move(handler), diag);
}

subscription repo::subscribe() {
  return subscription(state_, subscription_options{});
}

subscription repo::subscribe(subscription_options options) {
  return subscription(state_, std::move(options));
}

}  // namespace evstore
