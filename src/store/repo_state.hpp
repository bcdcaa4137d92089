#pragma once
// What a repo and its replay cursors share: the clients, the options, and the I/O steps more
// than one operation uses. By concern: the clients, options, times, backoff and known heads
// (repo_state.cpp); hydrating index keys (hydration.cpp); reading offloaded payloads
// (payload_reads.hpp/.cpp); the table's definition and creation (table_definition.cpp); the
// metadata item's months (month_range.cpp).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>

#include "evstore/dynamodb/client.hpp"
#include "evstore/s3/client.hpp"
#include "evstore/store/repo.hpp"
#include "payload_reads.hpp"
#include "store/item_codec.hpp"
#include "store/metadata_item.hpp"

namespace evstore {

inline constexpr std::string_view table_base_name = "schemeless-event-store";
inline constexpr std::string_view time_bucket_index = "timeBucketIndex";
inline constexpr std::string_view causation_index = "causationIndex";

/// What a stream's head item says: its version and the created time of its latest event
/// (lastCreated; nullopt for heads without one, such as the TypeScript adapter's).
struct stream_head {
  std::uint64_t version = 0;
  std::optional<timestamp> last_created;
};

class background_tasks;

class repo_state {
 public:
  repo_state(boost::asio::any_io_executor executor, aws::config config, repo_options options);

  boost::asio::any_io_executor executor;
  repo_options options;
  std::string table;
  dynamodb::client ddb;
  s3::client s3;

  void log(log_level level, std::string_view message) const;

  /// repo::close: every later operation fails (check_open), the background tasks of replays
  /// and subscriptions are cancelled, and the services' idle connections are closed (busy ones
  /// when their request ends). Idempotent.
  void close();
  bool closed() const noexcept { return closed_; }
  /// Throws system_error(asio::error::shut_down) naming `operation` once the repo is closed.
  void check_open(std::string_view operation) const;
  /// Background tasks close() cancels (held weakly: their owner decides how long they live).
  void track(const std::shared_ptr<background_tasks>& tasks);

  /// The time for events appended without one: now, but never before a time this repo gave
  /// before (the system clock may step back). Never ahead of the clock otherwise: the events of
  /// one append share it.
  timestamp reserve_times();

  /// Waits aws::full_jitter_delay(base, attempt, cap).
  boost::asio::awaitable<void> backoff(unsigned attempt, std::chrono::milliseconds base,
                                       std::chrono::milliseconds cap);

  /// The events of index entries (items holding `id` and `created`), in the entries' order,
  /// read with strongly consistent BatchGetItem calls of at most 100 keys; UnprocessedKeys are
  /// asked for again with backoff. Entries whose item is gone are logged and skipped. Offloaded
  /// payloads are fetched from S3 concurrently, within `limit` when given (else 8 at once).
  boost::asio::awaitable<std::vector<event>> hydrate(const std::vector<dynamodb::item>& entries,
                                                     payload_read_limit* limit = nullptr);
  /// hydrate, keeping each event's item key (for replay's order).
  boost::asio::awaitable<std::vector<decoded_item>> hydrate_items(
      const std::vector<dynamodb::item>& entries, payload_read_limit* limit);

  /// The event of an item, its payload fetched from S3 when offloaded.
  boost::asio::awaitable<event> complete(decoded_item decoded);

  /// The stored event with this id (under any created time), its payload fetched; nullopt when
  /// none. A strongly consistent Query on the id: the table's key is id + created. `id` must be
  /// one a stored event can have (the caller checks).
  boost::asio::awaitable<std::optional<event>> event_by_id(std::string id);

  /// The head (version and lastCreated) this repo's last append to a stream (by its stream
  /// name) left; nullopt when none is remembered (at most 10,000 streams are). Appends start
  /// from it instead of reading the head first: a head another writer moved since costs one
  /// cancelled transaction, which returns the head as it is.
  std::optional<stream_head> known_head_version(const std::string& stream) const;
  void remember_head_version(const std::string& stream, stream_head head);
  void forget_head_version(const std::string& stream);

  /// Makes sure the table's metadata item records every month in `months` as holding events,
  /// before events of those months are written (so a crash between the two never hides events
  /// from replay). Costs a conditional UpdateItem only when the months extend the cached range.
  boost::asio::awaitable<void> cover_months(std::vector<std::chrono::year_month> months);

  /// The metadata item, read strongly consistently (nullopt: missing); refreshes the cache.
  boost::asio::awaitable<std::optional<table_metadata>> read_metadata();
  /// Records options.time_bucket_shards in the metadata item unless the table has a count (a
  /// table keeps the count it was initialised with) and caches what the item holds. For init
  /// and reset.
  boost::asio::awaitable<void> record_shards();
  /// The shard count to write events with: the table's, once init, cover_months or a replay
  /// has read the metadata item; before that options.time_bucket_shards.
  unsigned time_bucket_shards() const;
  /// The months and buckets a replay within `bounds` reads (plan_replay_span): the metadata
  /// item's range when it is complete; otherwise (missing, corrupt or incomplete item) united
  /// with the months a Scan of the time index finds, which is logged at info.
  boost::asio::awaitable<replay_span> replay_months(replay_bounds bounds);
  /// The months holding events: the metadata item's range when complete, else united with a
  /// Scan of the time index (as replay_months). nullopt: no events.
  boost::asio::awaitable<std::optional<month_range>> event_months();
  /// migrate's last step, after a Scan of every item: records the months of `survey` united
  /// with the stored range and the shard count, and marks the range complete. A corrupt item
  /// is replaced.
  boost::asio::awaitable<void> record_complete_months(const month_survey& survey);

  /// Creates the table with both indexes unless it exists (tolerating a concurrent creator)
  /// and waits until all are ACTIVE.
  boost::asio::awaitable<void> ensure_table();

 private:
  boost::asio::awaitable<std::vector<std::optional<decoded_item>>> batch_get(
      const std::vector<dynamodb::item>& keys);
  boost::asio::awaitable<void> fetch_payloads(std::vector<decoded_item>& decoded,
                                              payload_read_limit& limit);
  /// Caches what a read or written metadata item says (ranges only ever widen).
  void remember(const table_metadata& metadata);
  boost::asio::awaitable<void> extend_months(month_range wanted);
  /// The metadata item for planning reads: nullopt when missing or corrupt (logged); `doubt`
  /// says why its range alone cannot be trusted (empty when it is complete).
  boost::asio::awaitable<std::optional<table_metadata>> read_metadata_leniently(std::string& doubt);
  /// The months and shard buckets of every entry of the time index (a parallel Scan).
  boost::asio::awaitable<month_survey> survey_months();
  /// The metadata item as stored (strongly consistent); nullopt when missing.
  boost::asio::awaitable<std::optional<dynamodb::item>> read_metadata_item();
  /// Sends a conditional write of the metadata item: what it holds after, or nullopt when the
  /// condition failed.
  boost::asio::awaitable<std::optional<table_metadata>> write_if_unchanged(
      dynamodb::update_item_request request);
  /// Whether the time index has no entry at all (one Scan page of one entry).
  boost::asio::awaitable<bool> time_index_is_empty();

  std::atomic<bool> closed_{false};
  std::mutex tracked_mutex_;
  std::vector<std::weak_ptr<background_tasks>> tracked_;
  std::mutex created_mutex_;
  timestamp last_created_{};
  mutable std::mutex metadata_mutex_;
  std::optional<month_range> known_months_;  ///< a range the table's item is known to cover
  std::optional<unsigned> known_shards_;
  mutable std::mutex heads_mutex_;
  std::unordered_map<std::string, stream_head> known_heads_;
  std::mutex random_mutex_;
  std::mt19937_64 random_{std::random_device{}()};
};

/// `operation` unless the repo is closed; checked when awaited, so that a completion token's
/// handler gets the error like any other.
template <class T>
boost::asio::awaitable<T> when_open(std::shared_ptr<repo_state> state, std::string_view name,
                                    boost::asio::awaitable<T> operation) {
  state->check_open(name);
  co_return co_await std::move(operation);
}

}  // namespace evstore
