// The replay cursor. Its plan: the months to read (repo_state::replay_months, in month_range),
// the buckets of a month (shards), and where a resumed replay starts. Each month is cut into
// slices of `created` time (segments); a segment's buckets are read through timeBucketIndex,
// merged into (created, id) order of keys and cut into pages of whole `created` groups that are
// hydrated and sorted into replay order (replay_order.hpp). Without read-ahead the caller's next()
// does all of that; with it, producer tasks read up to parallel_buckets months (all their slices)
// at once, each segment up to prefetch_pages pages ahead, into bounded channels the caller drains
// in order.

#include <algorithm>
#include <atomic>
#include <deque>
#include <iterator>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "background_tasks.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "month_buckets.hpp"
#include "repo_state.hpp"
#include "start_operation.hpp"
#include "store/metadata_item.hpp"
#include "store/month_slices.hpp"
#include "store/replay_order.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;
namespace chr = std::chrono;
using asio::experimental::concurrent_channel;

/// Bounds on the read-ahead options, so that a typo cannot ask for unbounded memory.
constexpr std::size_t max_parallel_buckets = 64;
constexpr std::size_t max_prefetch_pages = 64;
constexpr std::size_t max_month_slices = 64;
constexpr std::size_t max_page_size = 1'000'000;

const boost::system::error_code no_error{};

/// A channel wait ended by the caller's cancellation (channels report it as channel_cancelled).
bool cancelled_wait(const boost::system::error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::experimental::error::channel_cancelled;
}

/// The months, buckets and starting point of one replay.
struct replay_plan {
  chr::year_month first{};
  chr::year_month last{};
  unsigned shards = 1;
  /// Resume: only events after this one.
  std::optional<replay_key> after;
};

/// The index entries of `bucket` with `created` from `from` (inclusive) to `before`
/// (exclusive); an absent bound is open. A key condition takes one comparison of the sort key,
/// so with both bounds `before` is asked for inclusively and the reader drops entries equal to it.
ddb::query_request bucket_query(const repo_state& state, std::string bucket,
                                const std::optional<std::string>& from,
                                const std::optional<std::string>& before) {
  ddb::query_request request;
  request.table_name = state.table;
  request.index_name = std::string(time_bucket_index);
  request.names = {{"#bucket", "timeBucket"}};
  request.values = {{":bucket", ddb::attribute_value::string(std::move(bucket))}};
  request.key_condition_expression = "#bucket = :bucket";
  if (from || before) request.names.emplace("#created", "created");
  if (from) request.values.emplace(":from", ddb::attribute_value::string(*from));
  if (before) request.values.emplace(":before", ddb::attribute_value::string(*before));
  if (from && before)
    request.key_condition_expression += " AND #created BETWEEN :from AND :before";
  else if (from)
    request.key_condition_expression += " AND #created >= :from";
  else if (before)
    request.key_condition_expression += " AND #created < :before";
  return request;
}

asio::awaitable<ddb::query_result> query_page(std::shared_ptr<repo_state> state,
                                              ddb::query_request request) {
  co_return co_await state->ddb.query(request);
}

[[noreturn]] void unknown_cursor(const std::string& id, const std::string& table) {
  throw boost::system::system_error(make_error_code(store_errc::cursor_not_found),
                                    "replay cursor after_id '" + id +
                                        "' names no event in table '" + table +
                                        "': pass the id of an event a replay returned");
}

/// Where the event a resumed replay starts after stands. An id held by two items (written by
/// another writer) names the one created first.
asio::awaitable<replay_key> cursor_key(std::shared_ptr<repo_state> state, std::string id) {
  if (id.empty() || event_key(id).size() > max_partition_key_bytes)
    unknown_cursor(id, state->table);
  ddb::query_request request;
  request.table_name = state->table;
  request.key_condition_expression = "#id = :id";
  // Stream heads and other non-event items have no time bucket: replay never returns them.
  request.filter_expression = "attribute_exists(#bucket)";
  request.names = {{"#id", "id"}, {"#bucket", "timeBucket"}};
  request.values = {{":id", ddb::attribute_value::string(event_key(id))}};
  request.consistent_read = true;
  for (;;) {
    const ddb::query_result result = co_await state->ddb.query(request);
    if (!result.items.empty()) co_return replay_key_of(event_from_item(result.items.front()));
    if (!result.last_evaluated_key) break;
    request.exclusive_start_key = result.last_evaluated_key;
  }
  unknown_cursor(id, state->table);
}

/// One segment's keys (a slice of a month's `created` time) in (created, id) order, a page at a
/// time; a page holds whole groups of one `created`.
class segment_reader {
 public:
  segment_reader(std::shared_ptr<repo_state> state, chr::year_month month,
                 const created_slice& slice, const replay_plan& plan, std::size_t page_size)
      : state_(std::move(state)), page_size_(page_size), before_(slice.before), merge_(0) {
    // Only the resumed month has keys before the cursor.
    std::optional<std::string> from = slice.from;
    std::optional<std::string> after_created;
    if (plan.after && month_of_created(plan.after->created) == month) {
      after_created = plan.after->created;
      // A slice wholly before the cursor's time holds nothing to return: no query at all.
      if (slice.before && *slice.before <= *after_created) return;
      if (!from || *from < *after_created) from = after_created;
    }
    for (std::string& bucket : buckets_of(month, plan.shards)) {
      requests_.push_back(bucket_query(*state_, std::move(bucket), from, slice.before));
      requests_.back().limit = static_cast<std::int32_t>(page_size);
    }
    merge_ = bucket_merge(requests_.size(), std::move(after_created));
  }

  /// At least page_size keys (more when a group of one `created` goes on), fewer only at the
  /// segment's end; none when the segment is done.
  asio::awaitable<std::vector<index_key>> next_keys() {
    std::vector<index_key> keys;
    for (;;) {
      if (const index_key* key = merge_.peek()) {
        // Events of one `created` are ordered by their streams, which only their items show:
        // a group is never cut between two pages.
        if (keys.size() >= page_size_ && key->created != keys.back().created) break;
        keys.push_back(*merge_.pop());
        continue;
      }
      const std::vector<std::size_t> starving = merge_.starving();
      if (starving.empty()) break;
      co_await fetch(starving);
    }
    co_return keys;
  }

 private:
  /// The next index page of each of `buckets`, queried at once.
  asio::awaitable<void> fetch(const std::vector<std::size_t>& buckets) {
    if (buckets.size() == 1) {
      ddb::query_result page = co_await state_->ddb.query(requests_[buckets.front()]);
      take(buckets.front(), std::move(page));
      co_return;
    }
    using query_op = decltype(asio::co_spawn(
        state_->executor, std::declval<asio::awaitable<ddb::query_result>>(), asio::deferred));
    std::vector<query_op> queries;
    for (const std::size_t b : buckets)
      queries.push_back(
          asio::co_spawn(state_->executor, query_page(state_, requests_[b]), asio::deferred));
    auto [order, errors, pages] =
        co_await asio::experimental::make_parallel_group(std::move(queries))
            .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
    for (const std::exception_ptr& error : errors)
      if (error) std::rethrow_exception(error);
    for (std::size_t i = 0; i < buckets.size(); ++i) take(buckets[i], std::move(pages[i]));
  }

  void take(std::size_t bucket, ddb::query_result page) {
    std::vector<index_key> keys;
    keys.reserve(page.items.size());
    for (const ddb::item& entry : page.items) {
      index_key key = index_key_of(entry);
      // The next slice's first `created`: asked for inclusively (see bucket_query), read there.
      if (before_ && key.created == *before_) continue;
      keys.push_back(std::move(key));
    }
    const bool last_page = !page.last_evaluated_key;
    requests_[bucket].exclusive_start_key = std::move(page.last_evaluated_key);
    merge_.add_page(bucket, std::move(keys), last_page);
  }

  std::shared_ptr<repo_state> state_;
  std::size_t page_size_;
  std::optional<std::string> before_;
  std::vector<ddb::query_request> requests_;
  bucket_merge merge_;
};

/// The events of a page of keys, in replay order, those up to the cursor left out.
asio::awaitable<std::vector<event>> hydrate_keys(repo_state& state,
                                                 const std::vector<index_key>& keys,
                                                 const std::optional<replay_key>& after,
                                                 payload_read_limit& payload_reads) {
  std::vector<ddb::item> entries;
  entries.reserve(keys.size());
  for (const index_key& key : keys) entries.push_back(primary_key_of(key));
  std::vector<decoded_item> items = co_await state.hydrate_items(entries, &payload_reads);
  sort_in_replay_order(items);
  std::vector<event> events;
  events.reserve(items.size());
  for (decoded_item& item : items) {
    // Keys before the cursor's `created` never reach here; its own group is cut here.
    if (after && item.created_key <= after->created && !(*after < replay_key_of(item))) continue;
    events.push_back(std::move(item.value));
  }
  co_return events;
}

/// What a replay's reading tasks share with it.
struct pipeline {
  pipeline(asio::any_io_executor executor, std::size_t max_payload_reads,
           std::optional<replay_key> resume_after)
      : payload_reads(executor, max_payload_reads),
        after(std::move(resume_after)),
        tasks(std::make_shared<background_tasks>(std::move(executor))) {}

  payload_read_limit payload_reads;
  const std::optional<replay_key> after;
  /// Set when the replay is destroyed or has failed: tasks stop at their next step.
  std::atomic<bool> stopped{false};
  /// The segment readers and page hydrations; cancelled when the replay stops.
  std::shared_ptr<background_tasks> tasks;
};

/// One hydrated page (or what kept it, or the rest of its segment, from being read), delivered
/// once.
struct page_slot {
  explicit page_slot(asio::any_io_executor executor) : delivered(std::move(executor), 1) {}
  concurrent_channel<void(boost::system::error_code, std::exception_ptr, std::vector<event>)>
      delivered;
};

/// A segment being read ahead: its pages in order, then a null slot when it is done. A failure
/// is a slot in its place, so that it reaches the caller after the pages before it.
struct segment_job {
  segment_job(asio::any_io_executor executor, std::size_t depth)
      : pages(std::move(executor), depth) {}
  concurrent_channel<void(boost::system::error_code, std::shared_ptr<page_slot>)> pages;
};

asio::awaitable<void> hydrate_into(std::shared_ptr<repo_state> state,
                                   std::shared_ptr<pipeline> shared, std::vector<index_key> keys,
                                   std::shared_ptr<page_slot> slot) {
  std::exception_ptr error;
  std::vector<event> events;
  try {
    events = co_await hydrate_keys(*state, keys, shared->after, shared->payload_reads);
  } catch (...) {
    error = std::current_exception();
  }
  // The slot holds one message and gets only this one, so this never waits.
  slot->delivered.try_send(no_error, error, std::move(events));
}

/// Reads one segment into its job: queries in order, each page's hydration started at once
/// (up to the job's depth of pages not yet taken by the caller).
asio::awaitable<void> read_segment(std::shared_ptr<repo_state> state,
                                   std::shared_ptr<pipeline> shared,
                                   std::shared_ptr<segment_job> job, segment_reader reader) {
  std::exception_ptr failure;
  try {
    while (!shared->stopped) {
      std::vector<index_key> keys = co_await reader.next_keys();
      if (keys.empty()) break;
      std::shared_ptr<page_slot> slot = std::make_shared<page_slot>(state->executor);
      // Hydrating before the hand-over (which waits while the job is full) keeps a page ready
      // when the caller frees a place.
      shared->tasks->spawn(hydrate_into(state, shared, std::move(keys), slot),
                           [](std::exception_ptr) {});
      co_await job->pages.async_send(no_error, slot, asio::use_awaitable);
    }
    const std::shared_ptr<page_slot> segment_done;
    co_await job->pages.async_send(no_error, segment_done, asio::use_awaitable);
    co_return;
  } catch (...) {
    failure = std::current_exception();
  }
  // A cancelled hand-over means the replay stopped; anything else is this segment's failure,
  // handed over in order.
  if (shared->stopped) co_return;
  const auto slot = std::make_shared<page_slot>(state->executor);
  slot->delivered.try_send(no_error, failure, std::vector<event>{});
  try {
    co_await job->pages.async_send(no_error, slot, asio::use_awaitable);
  } catch (const boost::system::system_error&) {
    // Cancelled (the repo closed) before the replay read the failure: a closed channel tells
    // its next() that this segment ends here.
    job->pages.close();
  }
}

}  // namespace

class replay::cursor {
 public:
  cursor(std::shared_ptr<repo_state> state, replay_options options)
      : state_(std::move(state)), options_(std::move(options)) {
    options_.page_size = std::clamp<std::size_t>(options_.page_size, 1, max_page_size);
    options_.parallel_buckets =
        std::clamp<std::size_t>(options_.parallel_buckets, 1, max_parallel_buckets);
    options_.prefetch_pages = std::min(options_.prefetch_pages, max_prefetch_pages);
    options_.month_slices = std::clamp<std::size_t>(options_.month_slices, 1, max_month_slices);
    options_.max_concurrent_payload_reads =
        std::max<std::size_t>(options_.max_concurrent_payload_reads, 1);
  }

  ~cursor() { stop(); }
  cursor(const cursor&) = delete;
  cursor& operator=(const cursor&) = delete;

  const asio::any_io_executor& executor() const noexcept { return state_->executor; }

  asio::awaitable<std::optional<std::vector<event>>> next() {
    if (failed_) std::rethrow_exception(failed_);
    try {
      state_->check_open("replay next()");
      if (!plan_) {
        co_await make_plan();
        shared_ = std::make_shared<pipeline>(state_->executor,
                                             options_.max_concurrent_payload_reads, plan_->after);
        state_->track(shared_->tasks);
      }
      if (overflow_.empty()) {
        std::optional<std::vector<event>> page;
        if (options_.prefetch_pages == 0)
          page = co_await next_in_order();
        else
          page = co_await next_read_ahead();
        if (!page) co_return std::nullopt;
        overflow_ = std::move(*page);
        overflow_taken_ = 0;
      }
      co_return take_page();
    } catch (...) {
      // A failed (or cancelled) replay stays failed: its position is no longer known.
      failed_ = std::current_exception();
    }
    if (state_->closed()) {
      try {
        state_->check_open("replay next()");
      } catch (...) {
        failed_ = std::current_exception();
      }
    }
    stop();
    std::rethrow_exception(failed_);
  }

 private:
  asio::awaitable<void> make_plan() {
    replay_plan plan;
    replay_bounds bounds;
    bounds.first_month = options_.first_month;
    bounds.last_month = options_.last_month;
    if (options_.after_id) {
      plan.after = co_await cursor_key(state_, *options_.after_id);
      bounds.resume_month = month_of_created(plan.after->created);
    }
    const replay_span span = co_await state_->replay_months(bounds);
    plan.first = span.first;
    plan.last = span.last;
    plan.shards = span.shards;
    next_month_ = plan.first;
    plan_ = std::move(plan);
  }

  /// The reader of the next segment in order, or nullopt after the last month's last slice.
  std::optional<segment_reader> next_segment() {
    if (next_month_ > plan_->last) return std::nullopt;
    if (slices_.empty())
      slices_ = month_slices(next_month_, static_cast<unsigned>(options_.month_slices));
    segment_reader reader(state_, next_month_, slices_[next_slice_], *plan_, options_.page_size);
    if (++next_slice_ == slices_.size()) {
      next_slice_ = 0;
      slices_.clear();
      next_month_ += chr::months{1};
    }
    return reader;
  }

  asio::awaitable<std::optional<std::vector<event>>> next_in_order() {
    for (;;) {
      if (!reader_) {
        reader_ = next_segment();
        if (!reader_) co_return std::nullopt;
      }
      const std::vector<index_key> keys = co_await reader_->next_keys();
      if (keys.empty()) {
        reader_.reset();
        continue;
      }
      std::vector<event> events =
          co_await hydrate_keys(*state_, keys, shared_->after, shared_->payload_reads);
      if (!events.empty()) co_return events;
    }
  }

  /// Keeps parallel_buckets months' worth of segments being read ahead.
  void start_segments() {
    while (jobs_.size() < options_.parallel_buckets * options_.month_slices) {
      std::optional<segment_reader> reader = next_segment();
      if (!reader) return;
      auto job = std::make_shared<segment_job>(state_->executor, options_.prefetch_pages);
      shared_->tasks->spawn(read_segment(state_, shared_, job, std::move(*reader)),
                            [](std::exception_ptr) {});
      jobs_.push_back(std::move(job));
    }
  }

  asio::awaitable<std::optional<std::vector<event>>> next_read_ahead() {
    for (;;) {
      start_segments();
      if (jobs_.empty()) co_return std::nullopt;
      const std::shared_ptr<segment_job> job = jobs_.front();
      auto [closed, slot] = co_await job->pages.async_receive(asio::as_tuple(asio::use_awaitable));
      if (cancelled_wait(closed))
        throw boost::system::system_error(asio::error::operation_aborted,
                                          "replay next() cancelled");
      if (closed) throw boost::system::system_error(closed, "a replay task stopped reading");
      if (!slot) {
        jobs_.pop_front();
        continue;
      }
      auto [cancelled, error, events] =
          co_await slot->delivered.async_receive(asio::as_tuple(asio::use_awaitable));
      if (cancelled_wait(cancelled))
        throw boost::system::system_error(asio::error::operation_aborted,
                                          "replay next() cancelled");
      if (cancelled) throw boost::system::system_error(cancelled, "replay page not received");
      if (error) std::rethrow_exception(error);
      if (!events.empty()) co_return std::move(events);
    }
  }

  /// The next at most page_size events of the page being handed out.
  std::vector<event> take_page() {
    const std::size_t count = std::min(options_.page_size, overflow_.size() - overflow_taken_);
    if (overflow_taken_ == 0 && count == overflow_.size()) {
      overflow_taken_ = 0;
      return std::exchange(overflow_, {});
    }
    const auto first = overflow_.begin() + static_cast<std::ptrdiff_t>(overflow_taken_);
    std::vector<event> page(std::make_move_iterator(first),
                            std::make_move_iterator(first + static_cast<std::ptrdiff_t>(count)));
    overflow_taken_ += count;
    if (overflow_taken_ == overflow_.size()) {
      overflow_.clear();
      overflow_taken_ = 0;
    }
    return page;
  }

  /// Stops the reading tasks: each gets terminal cancellation, so one waiting to hand over a
  /// page, for a response or for a backoff ends now and sends nothing more; they hold what they
  /// use, so nothing dangles.
  void stop() {
    if (shared_) {
      shared_->stopped = true;
      shared_->tasks->cancel();
    }
    for (const std::shared_ptr<segment_job>& job : jobs_) {
      // close() alone leaves a sender waiting on a full channel suspended for good (and its
      // io_context never out of work); cancel() ends it first.
      job->pages.cancel();
      job->pages.close();
    }
    jobs_.clear();
  }

  std::shared_ptr<repo_state> state_;
  replay_options options_;
  std::shared_ptr<pipeline> shared_;
  std::optional<replay_plan> plan_;
  std::exception_ptr failed_;
  /// The next segment not yet started: a slice of a month.
  chr::year_month next_month_{};
  std::vector<created_slice> slices_;  ///< of next_month_; empty before it is sliced
  std::size_t next_slice_ = 0;
  std::optional<segment_reader> reader_;           ///< without read-ahead
  std::deque<std::shared_ptr<segment_job>> jobs_;  ///< with read-ahead, in order
  /// A page of keys holds whole groups of one `created`, so it may hydrate to more than
  /// page_size events: they are handed out page_size at a time.
  std::vector<event> overflow_;
  std::size_t overflow_taken_ = 0;
};

replay::replay(std::shared_ptr<repo_state> state, replay_options options)
    : cursor_(std::make_unique<cursor>(std::move(state), std::move(options))) {}
replay::~replay() = default;
replay::replay(replay&&) noexcept = default;
replay& replay::operator=(replay&&) noexcept = default;

asio::awaitable<std::optional<std::vector<event>>> replay::next() {
  return cursor_->next();
}

replay::executor_type replay::get_executor() const {
  return cursor_->executor();
}

void replay::start_next(aws::detail::completion_handler<std::optional<std::vector<event>>> handler,
                        cursor* source, diagnostics* diag) {
  start_operation(source->executor(), source->next(), std::move(handler), diag);
}

}  // namespace evstore
