#pragma once
// The event store over DynamoDB (and S3 for large payloads), on the table layout it shares with
// the TypeScript adapter @schemeless/event-store-adapter-dynamodb.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

enum class log_level { debug, info, warning, error };
/// Receives diagnostics (never secrets). Default: silent.
using logger = std::function<void(log_level, std::string_view message)>;

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
  logger log{};
};

struct append_options {
  /// The stream's version the caller expects (0: a new stream). nullopt: append whatever the
  /// current version is.
  std::optional<std::uint64_t> expected_sequence{};
};

struct replay_options {
  /// Events a page at most (at least 1). Pages may hold fewer: a page never spans two months.
  std::size_t page_size = 100;
  /// The first month read. Default: the earliest month from 1970-01 on that holds events, found
  /// by probing months (a one-item Query each, several at once).
  std::optional<std::chrono::year_month> first_month{};
  /// The last month read. Default: the current UTC month, so events dated in a later month
  /// are not replayed unless this is set.
  std::optional<std::chrono::year_month> last_month{};
};

class repo_state;

/// Pages of events in replay order: month by month, `created` ascending within a month.
/// Never yields an empty page; memory stays bounded by the page size.
class replay {
 public:
  explicit replay(std::shared_ptr<repo_state> state, replay_options options);
  ~replay();
  replay(replay&&) noexcept;
  replay& operator=(replay&&) noexcept;

  /// The next page, or nullopt when every event has been read.
  boost::asio::awaitable<std::optional<std::vector<event>>> next();

 private:
  class cursor;
  std::unique_ptr<cursor> cursor_;
};

class repo {
 public:
  repo(boost::asio::any_io_executor executor, aws::config config, repo_options options);
  ~repo();
  repo(repo&&) noexcept;
  repo& operator=(repo&&) noexcept;

  const std::string& table_name() const noexcept;

  /// Creates the table with both indexes and the bucket when missing, and waits until they are
  /// usable. Idempotent; safe to run from several processes at once.
  boost::asio::awaitable<void> init();

  /// Validates, then stores the events; returns them with id, created and sequence filled.
  /// Throws concurrency_error, duplicate_event_error, or system_error(store_errc::invalid_event).
  boost::asio::awaitable<std::vector<event>> append(std::vector<event> events,
                                                    append_options options = {});

  /// The stream's current version (number of events), read strongly consistently.
  boost::asio::awaitable<std::uint64_t> stream_sequence(std::string_view domain,
                                                        std::string_view identifier);

  replay all_events(replay_options options = {});

  boost::asio::awaitable<std::optional<event>> get_event_by_id(std::string_view id);

  /// Every event whose causation id is `id`, fully hydrated, in `created` order.
  boost::asio::awaitable<std::vector<event>> find_by_causation_id(std::string_view id);

  /// Deletes the table (and, unless keep_objects, the offloaded payloads), waits until it is
  /// gone, and creates it again.
  boost::asio::awaitable<void> reset_store(bool keep_objects = false);

 private:
  std::shared_ptr<repo_state> state_;
};

}  // namespace evstore
