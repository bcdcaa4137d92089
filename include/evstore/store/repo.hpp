#pragma once
// The event store over DynamoDB (and S3 for large payloads), on the table layout it shares with
// the TypeScript adapter @schemeless/event-store-adapter-dynamodb.

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/detail/completion_handler.hpp"
#include "evstore/aws/logger.hpp"
#include "evstore/aws/metrics.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

/// Receives diagnostics (never secrets). Default: silent.
using log_level = aws::log_level;
using logger = aws::logger;

/// The requests a repo sent to each service so far (counted since it was constructed).
struct repo_metrics {
  aws::service_metrics_snapshot dynamodb{};
  aws::service_metrics_snapshot s3{};
};

struct repo_options {
  std::string table_name_prefix{};  ///< table is <prefix>schemeless-event-store
  std::string s3_bucket_name{};     ///< where oversized payloads go
  std::string s3_acl = "private";
  std::string s3_key_prefix = "events/";
  bool skip_table_creation = false;
  bool skip_bucket_creation = false;
  std::int64_t read_capacity_units = 10;
  std::int64_t write_capacity_units = 10;
  bool on_demand = false;  ///< PAY_PER_REQUEST instead of provisioned capacity
  /// Items whose computed DynamoDB size exceeds this have their payload offloaded to S3.
  /// Clamped to the 400 KB item limit.
  std::size_t offload_threshold_bytes = 350'000;
  /// Time-bucket shards for new tables (opt-in write sharding). 1 keeps the shared layout's
  /// plain `YYYY-MM` bucket; N > 1 writes `YYYY-MM#<s>` (s in 0..N-1, from the event id) and
  /// replay merges the shards back into one replay order. Recorded in the table's
  /// metadata item by `init`; a table keeps the count it was initialised with.
  unsigned time_bucket_shards = 1;
  /// Streams of one append written at once.
  std::size_t max_concurrent_streams = 8;
  /// One attempt of a DynamoDB or S3 request (waiting for a connection, sending, reading the
  /// whole response) fails after this long, and is retried like any transient failure.
  std::chrono::milliseconds request_timeout{30'000};
  /// Attempts of a DynamoDB or S3 request, the first included, while it fails transiently
  /// (throttling, 5xx, reset connections, timeouts); within the client's retry quota. 0: no
  /// count; only max_time_without_progress and the 5-minute limit of one request bound them.
  /// Unset: the config's (AWS_MAX_ATTEMPTS, the profile's max_attempts), else 0.
  std::optional<unsigned> max_attempts{};
  /// A failing request gives up once no request to its service (DynamoDB, or S3) succeeded
  /// for this long, and it started earlier than that: retries go on while others (or it)
  /// make progress. 0: no such bound. Whatever this is, one request stops retrying 5 minutes
  /// after its first attempt (half DynamoDB's 10-minute window for ClientRequestToken).
  std::chrono::milliseconds max_time_without_progress{60'000};
  /// adaptive: throttling slows the client down (a client-side rate limiter) and does not
  /// take from the retry quota; standard: throttles are retried within the quota like 5xx.
  /// Unset: the config's (AWS_RETRY_MODE, the profile's retry_mode), else adaptive.
  std::optional<aws::retry_mode> retry_mode{};
  /// Keep-alive HTTP connections to each service (DynamoDB, S3) at most; requests beyond them
  /// wait. A replay at its defaults has up to 32 chains of index pages (parallel_buckets x
  /// month_slices) and their hydrations in flight.
  std::size_t max_connections = 64;
  logger log{};
};

struct append_options {
  /// The stream's version the caller expects (0: a new stream). nullopt: append whatever the
  /// current version is.
  std::optional<std::uint64_t> expected_sequence{};
};

struct replay_options {
  /// Events a page at most (at least 1). Pages may hold fewer: a page never spans two slices of
  /// a month (see month_slices).
  std::size_t page_size = 100;
  /// The first month read. Default: the earliest month holding events (the table's metadata
  /// item when it is marked complete, else that item united with a Scan of the time index).
  std::optional<std::chrono::year_month> first_month{};
  /// The last month read. Default: the latest month holding events.
  std::optional<std::chrono::year_month> last_month{};
  /// Resume cursor: start right after this event's place in replay order (created, domain,
  /// identifier, sequence, id). An id not in the table throws
  /// system_error(store_errc::cursor_not_found).
  std::optional<std::string> after_id{};
  /// Months (time buckets) read at once (K); the output order is the same for every value.
  std::size_t parallel_buckets = 4;
  /// Slices of `created` time each month is cut into, read at once (1 to 64): a month's index
  /// pages form a chain of round trips, so one slice reads at most a page per round trip. Each
  /// slice costs at least one Query, also when empty.
  std::size_t month_slices = 8;
  /// Pages read ahead of the caller per slice being read.
  std::size_t prefetch_pages = 4;
  /// S3 payload downloads in flight at most.
  std::size_t max_concurrent_payload_reads = 16;
};

struct stream_read_options {
  /// Only events with a greater sequence are returned.
  std::uint64_t after_sequence = 0;
  /// How long a read waits for the stream index to catch up with the stream head before it
  /// throws system_error(store_errc::index_lag).
  std::chrono::milliseconds max_index_wait{5'000};
};

/// An aggregate's state at a stream version.
struct snapshot {
  std::string domain;
  std::string identifier;
  std::uint64_t sequence = 0;        ///< the stream version the state includes
  std::string state_json = "null";   ///< any JSON value, as text
  std::optional<timestamp> created;  ///< set by save_snapshot
};

/// The first and last month that hold events (see repo::event_months).
struct month_range {
  std::chrono::year_month first;
  std::chrono::year_month last;
};

struct migrate_progress {
  std::uint64_t items_scanned = 0;
  std::uint64_t items_updated = 0;
};

struct migrate_options {
  /// Scan segments read at once.
  std::size_t parallel_segments = 4;
  /// Called after each page with the running totals.
  std::function<void(const migrate_progress&)> on_progress{};
};

struct atomic_append;  // evstore/store/atomic_append.hpp
class diagnostics;     // evstore/store/diagnostics.hpp
class repo_state;

/// A stream as its head item records it (repo::scan_streams).
struct stream_summary {
  std::string domain;
  std::string identifier;  ///< empty for events without one
  std::uint64_t version = 0;
};

/// What a whole repo::scan_streams read.
struct stream_scan_totals {
  std::uint64_t items_read = 0;  ///< items the Scan evaluated (every item of the table)
  double capacity_units = 0;     ///< read capacity the Scan consumed
};

/// Pages of events in replay order: (created, domain, identifier, sequence, id) ascending, month
/// by month, so events of one millisecond come in their streams' sequence order. Never yields an
/// empty page; memory stays bounded by parallel_buckets x month_slices x (prefetch_pages + 1)
/// pages (a page of index keys grows past page_size to hold a whole group of one `created`).
class replay {
 public:
  explicit replay(std::shared_ptr<repo_state> state, replay_options options);
  ~replay();
  replay(replay&&) noexcept;
  replay& operator=(replay&&) noexcept;

  /// The next page, or nullopt when every event has been read.
  boost::asio::awaitable<std::optional<std::vector<event>>> next();

  // --- Completion-token form (docs/api.md): void(error_code, std::optional<std::vector<event>>).
  // The replay must outlive the operation (moving it is fine); one next at a time.
  using executor_type = boost::asio::any_io_executor;
  /// The repo's executor, where the replay's requests run.
  executor_type get_executor() const;

  template <class CompletionToken>
  auto async_next(CompletionToken&& token) {
    return aws::detail::initiate_operation<std::optional<std::vector<event>>>(
        std::forward<CompletionToken>(token), &replay::start_next, cursor_.get(),
        static_cast<diagnostics*>(nullptr));
  }
  template <class CompletionToken>
  auto async_next(diagnostics& diag, CompletionToken&& token) {
    return aws::detail::initiate_operation<std::optional<std::vector<event>>>(
        std::forward<CompletionToken>(token), &replay::start_next, cursor_.get(), &diag);
  }
  // --- end of the completion-token form.

 private:
  class cursor;
  static void start_next(aws::detail::completion_handler<std::optional<std::vector<event>>> handler,
                         cursor* source, diagnostics* diag);
  std::unique_ptr<cursor> cursor_;
};

/// Where a subscription starts when it has no checkpoint.
enum class subscription_start {
  beginning,  ///< every event in the table
  now,        ///< events created from the moment of subscribing on
};

/// See docs/subscriptions.md for the design, the guarantee and its bounds.
struct subscription_options {
  subscription_start from = subscription_start::beginning;
  /// Resume right after this checkpoint (a subscription_page's); `from` is then ignored. Bad
  /// text throws system_error(errc::invalid_argument) from the first next().
  std::optional<std::string> checkpoint{};
  /// Events are swept in replay order up to `created` = now - horizon, so that index lag,
  /// clock skew and stamp-to-commit time within it cost no late delivery.
  std::chrono::milliseconds horizon{500};
  /// Time between polls of the time index once caught up.
  std::chrono::milliseconds poll_interval{200};
  /// The trailing window re-read for late arrivals: events that become visible at most this
  /// long behind the sweep are delivered (late, in their stream's order). Later ones that are
  /// found are delivered and reported (subscription_stats::late_beyond_bound, a warning).
  std::chrono::milliseconds late_window{10'000};
  /// How often the trailing window is re-read.
  std::chrono::milliseconds late_scan_interval{2'000};
  /// Only events of these domains / event types are returned (empty: all). Filtered client-side
  /// after hydration: filtered-out events cost their reads like the others.
  std::vector<std::string> domains{};
  std::vector<std::string> types{};
  /// Index keys read per page (whole groups of one `created`); pages hold about this many events.
  /// Each page costs a Query and its BatchGetItems: at 100 a page one subscriber on DynamoDB
  /// Local fell behind 500 events/s (bench/subscribe.cpp), at 1000 it kept up.
  std::size_t page_size = 1000;
  /// next() returns nullopt after this long without an event to return (nullopt: never); a
  /// later next() goes on from where it was.
  std::optional<std::chrono::milliseconds> idle_limit{};
};

/// Events after the previous page's checkpoint, and the checkpoint to resume after them.
struct subscription_page {
  std::vector<event> events;
  std::string checkpoint;
};

/// What a subscription did so far.
struct subscription_stats {
  std::uint64_t delivered = 0;           ///< events through the order check (filtered or not)
  std::uint64_t late_within_window = 0;  ///< delivered behind the sweep, within the window
  std::uint64_t late_beyond_bound = 0;   ///< delivered further behind: the bound was exceeded
  std::uint64_t gap_fills = 0;           ///< stream index Queries for earlier events of a stream
  std::uint64_t held_back = 0;           ///< pages stopped at an event whose predecessor was not
                                         ///< visible yet
};

/// Follows the table: every event after its starting point, catching up and then live, in
/// replay order (late arrivals behind it, but never ahead of their stream's earlier events);
/// exactly once for events visible within the bound (docs/subscriptions.md).
class subscription {
 public:
  subscription(std::shared_ptr<repo_state> state, subscription_options options);
  ~subscription();
  subscription(subscription&&) noexcept;
  subscription& operator=(subscription&&) noexcept;

  /// The next non-empty page; waits while nothing new is committed. nullopt once stopped or
  /// when idle_limit passed without an event.
  boost::asio::awaitable<std::optional<subscription_page>> next();
  /// Ends a waiting next() (which returns nullopt) or makes the next call return nullopt; a
  /// next() in the middle of a poll returns its page first. Call on the repo's executor.
  void stop();
  /// The checkpoint after every event returned so far (before the first page: the one it
  /// resumes from, or empty). A next() that failed or was cancelled leaves the subscription
  /// failed (later calls throw the same error); resume from checkpoint() with a new one.
  std::string checkpoint() const;
  subscription_stats stats() const;

  // --- Completion-token form (docs/api.md): void(error_code, std::optional<subscription_page>).
  // The subscription must outlive the operation (moving it is fine); one next at a time.
  using executor_type = boost::asio::any_io_executor;
  /// The repo's executor, where the subscription's requests and timers run.
  executor_type get_executor() const;

  template <class CompletionToken>
  auto async_next(CompletionToken&& token) {
    return aws::detail::initiate_operation<std::optional<subscription_page>>(
        std::forward<CompletionToken>(token), &subscription::start_next, follower_.get(),
        static_cast<diagnostics*>(nullptr));
  }
  template <class CompletionToken>
  auto async_next(diagnostics& diag, CompletionToken&& token) {
    return aws::detail::initiate_operation<std::optional<subscription_page>>(
        std::forward<CompletionToken>(token), &subscription::start_next, follower_.get(), &diag);
  }
  // --- end of the completion-token form.

 private:
  class follower;
  static void start_next(aws::detail::completion_handler<std::optional<subscription_page>> handler,
                         follower* source, diagnostics* diag);
  std::unique_ptr<follower> follower_;
};

class repo {
 public:
  repo(boost::asio::any_io_executor executor, aws::config config, repo_options options);
  ~repo();
  repo(repo&&) noexcept;
  repo& operator=(repo&&) noexcept;

  const std::string& table_name() const noexcept;

  /// Orderly shutdown, like closing an Asio socket: every operation started after it fails
  /// with system_error(boost::asio::error::shut_down) (also a replay's or subscription's next());
  /// the background read-ahead of its replays and the trailing-window reads of its
  /// subscriptions get terminal cancellation at once; idle keep-alive connections are closed
  /// now and busy ones when their request ends. Operations in flight run to their end (cancel
  /// them through their cancellation slot to end them sooner). Once those are done, nothing of
  /// the repo keeps its io_context busy, so run() returns. Idempotent; the destructor does not
  /// call it (operations in flight keep what they use alive). Call on the repo's executor.
  void close();

  /// Counters of the requests sent so far; thread-safe, cheap (atomic loads).
  repo_metrics metrics() const noexcept;

  /// Creates the table with its indexes (time bucket, causation, stream) and the bucket when
  /// missing, adds the stream index to a table that lacks it, and waits until they are
  /// usable (for the index's backfill without a time limit while DynamoDB reports it being
  /// built). With skip_bucket_creation it checks that the bucket exists (HeadBucket) and throws
  /// system_error(errc::no_such_file_or_directory) naming it otherwise. Marks the metadata item
  /// complete when the time index is empty. Idempotent; safe to run from several processes at
  /// once.
  boost::asio::awaitable<void> init();

  /// Validates, then stores the events; returns them with id, created and sequence filled.
  /// Events without a time share one `created`: now, or the stream head's lastCreated when that
  /// is later, so a stream's times never decrease in sequence order; a caller-given time earlier
  /// than the stream's latest event is refused (invalid_event). Events with caller-chosen ids
  /// already stored with the same content are not written again (the stored ones are
  /// returned); ids are looked up again after every re-plan. A stream is written in
  /// transactions of at most 100 actions or 4 MB; when another writer moved the head in between,
  /// the rest is planned again from the head as it is (with expected_sequence: concurrency_error;
  /// without: after 5 plans in a row that wrote nothing, concurrency_error). Throws
  /// system_error(store_errc::invalid_event) when validation fails (nothing written); every
  /// later failure is an append_error (concurrency_error, duplicate_event_error, or the cause's
  /// code, e.g. store_errc::outcome_unknown or operation_aborted) whose written_events() lists
  /// what is stored and whose resend_events(), appended again, settles the call without copies.
  boost::asio::awaitable<std::vector<event>> append(std::vector<event> events);
  boost::asio::awaitable<std::vector<event>> append(std::vector<event> events,
                                                    append_options options);

  /// Writes events to several streams, each with its own expectation, and checks streams
  /// (request.checks), all or nothing in one TransactWriteItems call; returns the events of
  /// every write, in order, with id, created and sequence filled. Every head is read first
  /// (strongly consistent); events without a time get max(now, their head's lastCreated), a
  /// caller-given time earlier than that is refused. A request over one transaction (100
  /// actions counting a head Update per stream written and a ConditionCheck per stream checked,
  /// or 4 MB of items as written, payloads offloaded) or naming a stream twice throws
  /// system_error(store_errc::invalid_event) before anything is written: it is never split.
  /// Streams not meeting their expectation throw atomic_conflict_error listing every one with
  /// its actual version; nothing is written. Sent again with the same event ids after a lost
  /// answer (append_error::resend_events()), it is recognised as stored and returns the stored
  /// events. Other failures are append_errors, as for append.
  boost::asio::awaitable<std::vector<event>> append_atomic(atomic_append request);

  /// The stream's current version (number of events), read strongly consistently.
  boost::asio::awaitable<std::uint64_t> stream_sequence(std::string_view domain,
                                                        std::string_view identifier);

  replay all_events();
  replay all_events(replay_options options);

  /// Follows the log from a checkpoint, the beginning or now (see subscription).
  subscription subscribe();
  subscription subscribe(subscription_options options);

  /// The stream's events with sequence > after_sequence, ascending, complete up to the head's
  /// version at the time of the call (read-your-writes), through the stream index.
  boost::asio::awaitable<std::vector<event>> stream_events(std::string_view domain,
                                                           std::string_view identifier);
  boost::asio::awaitable<std::vector<event>> stream_events(std::string_view domain,
                                                           std::string_view identifier,
                                                           stream_read_options options);

  /// Stores the snapshot unless one at the same or a newer sequence is there (then returns
  /// false). Large state is offloaded to S3 like payloads; a state over 256 MiB is refused
  /// (invalid_event). A save resent after its applied answer was lost returns true.
  boost::asio::awaitable<bool> save_snapshot(snapshot value);
  boost::asio::awaitable<std::optional<snapshot>> get_snapshot(std::string_view domain,
                                                               std::string_view identifier);

  /// The first and last month holding events (nullopt: none): the metadata item's range when
  /// it is marked complete (one GetItem); otherwise (no item, a corrupt or incomplete one) that
  /// range united with the months a Scan of the time index finds.
  boost::asio::awaitable<std::optional<month_range>> event_months();

  /// Brings a table the TypeScript adapter wrote up to what evstore's features need: adds the
  /// `stream` attribute to event items lacking it and, after scanning every item, records the
  /// months of all events as the complete range (replacing a corrupt metadata item). Idempotent
  /// and resumable (it only touches items that still lack the attribute).
  boost::asio::awaitable<migrate_progress> migrate();
  boost::asio::awaitable<migrate_progress> migrate(migrate_options options);

  boost::asio::awaitable<std::optional<event>> get_event_by_id(std::string_view id);

  /// Every event whose causation id is `id`, fully hydrated, in `created` order.
  boost::asio::awaitable<std::vector<event>> find_by_causation_id(std::string_view id);

  /// Deletes the table (and, unless keep_objects, the offloaded payloads), waits until it is
  /// gone, and creates it again.
  boost::asio::awaitable<void> reset_store();
  boost::asio::awaitable<void> reset_store(bool keep_objects);

  /// Every stream of the table with its version, read from the stream head items by a Scan and
  /// handed to on_page a page at a time (pages may be empty). The Scan evaluates every item of
  /// the table: its cost is the table's size. Throws system_error(store_errc::corrupt_item)
  /// naming a head item not as the table layout says, std::runtime_error when DynamoDB hands
  /// back the same page key twice, and what the DynamoDB client throws.
  boost::asio::awaitable<stream_scan_totals> scan_streams(
      std::function<void(const std::vector<stream_summary>&)> on_page);

  // --- Completion-token forms (docs/api.md). Each takes any completion token and completes
  // with void(error_code, T) (void(error_code) for init and reset_store); failures are codes,
  // never exceptions. An overload taking `diagnostics&` fills it with the failure's details.
  // The repo may be destroyed while they run (they share its state); a deferred operation
  // needs it until launched.
  using executor_type = boost::asio::any_io_executor;
  /// The executor given to the constructor: every operation's requests run on it.
  executor_type get_executor() const;

  template <class CompletionToken>
  auto async_init(CompletionToken&& token) {
    return initiate<void>(std::forward<CompletionToken>(token), &repo::start_init, nullptr);
  }
  template <class CompletionToken>
  auto async_init(diagnostics& diag, CompletionToken&& token) {
    return initiate<void>(std::forward<CompletionToken>(token), &repo::start_init, &diag);
  }

  template <class CompletionToken>
  auto async_append(std::vector<event> events, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token), &repo::start_append,
                                        nullptr, std::move(events), append_options{});
  }
  template <class CompletionToken>
  auto async_append(std::vector<event> events, append_options options, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token), &repo::start_append,
                                        nullptr, std::move(events), std::move(options));
  }
  template <class CompletionToken>
  auto async_append(std::vector<event> events, append_options options, diagnostics& diag,
                    CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token), &repo::start_append,
                                        &diag, std::move(events), std::move(options));
  }

  /// Needs evstore/store/atomic_append.hpp.
  template <class Request, class CompletionToken>
  requires std::same_as<std::remove_cvref_t<Request>, atomic_append>
  auto async_append_atomic(Request&& request, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_append_atomic, nullptr,
                                        std::forward<Request>(request));
  }
  template <class Request, class CompletionToken>
  requires std::same_as<std::remove_cvref_t<Request>, atomic_append>
  auto async_append_atomic(Request&& request, diagnostics& diag, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_append_atomic, &diag,
                                        std::forward<Request>(request));
  }

  template <class CompletionToken>
  auto async_stream_sequence(std::string_view domain, std::string_view identifier,
                             CompletionToken&& token) {
    return initiate<std::uint64_t>(std::forward<CompletionToken>(token),
                                   &repo::start_stream_sequence, nullptr, std::string(domain),
                                   std::string(identifier));
  }
  template <class CompletionToken>
  auto async_stream_sequence(std::string_view domain, std::string_view identifier,
                             diagnostics& diag, CompletionToken&& token) {
    return initiate<std::uint64_t>(std::forward<CompletionToken>(token),
                                   &repo::start_stream_sequence, &diag, std::string(domain),
                                   std::string(identifier));
  }

  template <class CompletionToken>
  auto async_stream_events(std::string_view domain, std::string_view identifier,
                           CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_stream_events, nullptr, std::string(domain),
                                        std::string(identifier), stream_read_options{});
  }
  template <class CompletionToken>
  auto async_stream_events(std::string_view domain, std::string_view identifier,
                           stream_read_options options, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_stream_events, nullptr, std::string(domain),
                                        std::string(identifier), options);
  }
  template <class CompletionToken>
  auto async_stream_events(std::string_view domain, std::string_view identifier,
                           stream_read_options options, diagnostics& diag,
                           CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_stream_events, &diag, std::string(domain),
                                        std::string(identifier), options);
  }

  template <class CompletionToken>
  auto async_save_snapshot(snapshot value, CompletionToken&& token) {
    return initiate<bool>(std::forward<CompletionToken>(token), &repo::start_save_snapshot, nullptr,
                          std::move(value));
  }
  template <class CompletionToken>
  auto async_save_snapshot(snapshot value, diagnostics& diag, CompletionToken&& token) {
    return initiate<bool>(std::forward<CompletionToken>(token), &repo::start_save_snapshot, &diag,
                          std::move(value));
  }

  template <class CompletionToken>
  auto async_get_snapshot(std::string_view domain, std::string_view identifier,
                          CompletionToken&& token) {
    return initiate<std::optional<snapshot>>(std::forward<CompletionToken>(token),
                                             &repo::start_get_snapshot, nullptr,
                                             std::string(domain), std::string(identifier));
  }
  template <class CompletionToken>
  auto async_get_snapshot(std::string_view domain, std::string_view identifier, diagnostics& diag,
                          CompletionToken&& token) {
    return initiate<std::optional<snapshot>>(std::forward<CompletionToken>(token),
                                             &repo::start_get_snapshot, &diag, std::string(domain),
                                             std::string(identifier));
  }

  template <class CompletionToken>
  auto async_event_months(CompletionToken&& token) {
    return initiate<std::optional<month_range>>(std::forward<CompletionToken>(token),
                                                &repo::start_event_months, nullptr);
  }
  template <class CompletionToken>
  auto async_event_months(diagnostics& diag, CompletionToken&& token) {
    return initiate<std::optional<month_range>>(std::forward<CompletionToken>(token),
                                                &repo::start_event_months, &diag);
  }

  template <class CompletionToken>
  auto async_migrate(CompletionToken&& token) {
    return initiate<migrate_progress>(std::forward<CompletionToken>(token), &repo::start_migrate,
                                      nullptr, migrate_options{});
  }
  template <class CompletionToken>
  auto async_migrate(migrate_options options, CompletionToken&& token) {
    return initiate<migrate_progress>(std::forward<CompletionToken>(token), &repo::start_migrate,
                                      nullptr, std::move(options));
  }
  template <class CompletionToken>
  auto async_migrate(migrate_options options, diagnostics& diag, CompletionToken&& token) {
    return initiate<migrate_progress>(std::forward<CompletionToken>(token), &repo::start_migrate,
                                      &diag, std::move(options));
  }

  template <class CompletionToken>
  auto async_get_event_by_id(std::string_view id, CompletionToken&& token) {
    return initiate<std::optional<event>>(std::forward<CompletionToken>(token),
                                          &repo::start_get_event_by_id, nullptr, std::string(id));
  }
  template <class CompletionToken>
  auto async_get_event_by_id(std::string_view id, diagnostics& diag, CompletionToken&& token) {
    return initiate<std::optional<event>>(std::forward<CompletionToken>(token),
                                          &repo::start_get_event_by_id, &diag, std::string(id));
  }

  template <class CompletionToken>
  auto async_find_by_causation_id(std::string_view id, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_find_by_causation_id, nullptr,
                                        std::string(id));
  }
  template <class CompletionToken>
  auto async_find_by_causation_id(std::string_view id, diagnostics& diag, CompletionToken&& token) {
    return initiate<std::vector<event>>(std::forward<CompletionToken>(token),
                                        &repo::start_find_by_causation_id, &diag, std::string(id));
  }

  template <class CompletionToken>
  auto async_reset_store(CompletionToken&& token) {
    return initiate<void>(std::forward<CompletionToken>(token), &repo::start_reset_store, nullptr,
                          false);
  }
  template <class CompletionToken>
  auto async_reset_store(bool keep_objects, CompletionToken&& token) {
    return initiate<void>(std::forward<CompletionToken>(token), &repo::start_reset_store, nullptr,
                          keep_objects);
  }
  template <class CompletionToken>
  auto async_reset_store(bool keep_objects, diagnostics& diag, CompletionToken&& token) {
    return initiate<void>(std::forward<CompletionToken>(token), &repo::start_reset_store, &diag,
                          keep_objects);
  }
  template <class CompletionToken>
  auto async_scan_streams(std::function<void(const std::vector<stream_summary>&)> on_page,
                          CompletionToken&& token) {
    return initiate<stream_scan_totals>(std::forward<CompletionToken>(token),
                                        &repo::start_scan_streams, nullptr, std::move(on_page));
  }
  template <class CompletionToken>
  auto async_scan_streams(std::function<void(const std::vector<stream_summary>&)> on_page,
                          diagnostics& diag, CompletionToken&& token) {
    return initiate<stream_scan_totals>(std::forward<CompletionToken>(token),
                                        &repo::start_scan_streams, &diag, std::move(on_page));
  }
  // --- end of the completion-token forms.

 private:
  template <class T, class CompletionToken, class Start, class... Args>
  auto initiate(CompletionToken&& token, Start start, diagnostics* diag, Args&&... args) {
    return aws::detail::initiate_operation<T>(std::forward<CompletionToken>(token), start, state_,
                                              diag, std::forward<Args>(args)...);
  }

  // The compiled starts of the completion-token forms (src/store/repo.cpp).
  template <class T>
  using handler = aws::detail::completion_handler<T>;
  using shared_state = std::shared_ptr<repo_state>;
  static void start_init(handler<void> h, shared_state state, diagnostics* diag);
  static void start_append(handler<std::vector<event>> h, shared_state state, diagnostics* diag,
                           std::vector<event> events, append_options options);
  static void start_append_atomic(handler<std::vector<event>> h, shared_state state,
                                  diagnostics* diag, atomic_append request);
  static void start_stream_sequence(handler<std::uint64_t> h, shared_state state, diagnostics* diag,
                                    std::string domain, std::string identifier);
  static void start_stream_events(handler<std::vector<event>> h, shared_state state,
                                  diagnostics* diag, std::string domain, std::string identifier,
                                  stream_read_options options);
  static void start_save_snapshot(handler<bool> h, shared_state state, diagnostics* diag,
                                  snapshot value);
  static void start_get_snapshot(handler<std::optional<snapshot>> h, shared_state state,
                                 diagnostics* diag, std::string domain, std::string identifier);
  static void start_event_months(handler<std::optional<month_range>> h, shared_state state,
                                 diagnostics* diag);
  static void start_migrate(handler<migrate_progress> h, shared_state state, diagnostics* diag,
                            migrate_options options);
  static void start_get_event_by_id(handler<std::optional<event>> h, shared_state state,
                                    diagnostics* diag, std::string id);
  static void start_find_by_causation_id(handler<std::vector<event>> h, shared_state state,
                                         diagnostics* diag, std::string id);
  static void start_scan_streams(handler<stream_scan_totals> h, shared_state state,
                                 diagnostics* diag,
                                 std::function<void(const std::vector<stream_summary>&)> on_page);
  static void start_reset_store(handler<void> h, shared_state state, diagnostics* diag,
                                bool keep_objects);

  std::shared_ptr<repo_state> state_;
};

}  // namespace evstore
