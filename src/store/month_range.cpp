// The table's metadata item at run time: recording the months that hold events before they are
// written (cover_months), the shard count at init, and reading both back for replay.

#include <algorithm>

#include <boost/asio/awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/metadata_item.hpp"
#include "evstore/store/time.hpp"
#include "repo_state.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;
namespace chr = std::chrono;

/// Conditional writes of the range tried before giving up (each failure means another writer
/// widened the range meanwhile, and the next try includes what it wrote).
constexpr unsigned max_range_attempts = 8;

std::string describe(const month_range& range) {
  return time_bucket(range.first) + ".." + time_bucket(range.last);
}

}  // namespace

void repo_state::remember(const table_metadata& metadata) {
  const std::lock_guard lock(metadata_mutex_);
  if (metadata.months) {
    std::vector<chr::year_month> ends{metadata.months->first, metadata.months->last};
    known_months_ = widened(known_months_, ends);
  }
  known_shards_ = metadata.shards.value_or(1);
}

unsigned repo_state::time_bucket_shards() const {
  const std::lock_guard lock(metadata_mutex_);
  return known_shards_.value_or(std::max(options.time_bucket_shards, 1u));
}

asio::awaitable<std::optional<table_metadata>> repo_state::read_metadata() {
  const ddb::get_item_request request{
      .table_name = table, .key = metadata_item_key(), .consistent_read = true};
  const ddb::get_item_result result = co_await ddb.get_item(request);
  if (!result.item) co_return std::nullopt;
  table_metadata metadata = metadata_from_item(*result.item);
  remember(metadata);
  co_return metadata;
}

asio::awaitable<void> repo_state::record_shards() {
  const unsigned configured = checked_shard_count(options.time_bucket_shards);
  const ddb::update_item_request request = record_shards_request(table, configured);
  const ddb::update_item_result result = co_await ddb.update_item(request);
  const table_metadata metadata =
      result.attributes ? metadata_from_item(*result.attributes) : table_metadata{};
  {
    // The table may have been recreated (reset): what was known of the old one is void.
    const std::lock_guard lock(metadata_mutex_);
    known_months_.reset();
    known_shards_.reset();
  }
  remember(metadata);
  if (metadata.shards && *metadata.shards != configured) {
    log(log_level::warning, "table '" + table + "' keeps the " + std::to_string(*metadata.shards) +
                                " time-bucket shards it was initialised with; "
                                "repo_options::time_bucket_shards (" +
                                std::to_string(configured) + ") is ignored for it");
  }
}

/// Writes `wanted` (widened by whatever the stored item holds) as the recorded range.
asio::awaitable<void> repo_state::extend_months(month_range wanted) {
  const unsigned shards = checked_shard_count(options.time_bucket_shards);
  for (unsigned attempt = 0; attempt < max_range_attempts; ++attempt) {
    const ddb::update_item_request request = extend_months_request(table, wanted, shards);
    std::optional<table_metadata> current;
    try {
      const ddb::update_item_result result = co_await ddb.update_item(request);
      remember(result.attributes ? metadata_from_item(*result.attributes) : table_metadata{});
      log(log_level::debug,
          "recorded months " + describe(wanted) + " in the metadata item of '" + table + "'");
      co_return;
    } catch (const ddb::service_error& error) {
      if (error.code() != ddb::errc::conditional_check_failed) throw;
      if (error.old_item()) current = metadata_from_item(*error.old_item());
    }
    // Another writer recorded a range reaching past `wanted`: include it and try again.
    if (current)
      remember(*current);
    else
      current = co_await read_metadata();  // a server that did not return the stored item
    if (current) wanted = widened(current->months, {wanted.first, wanted.last});
  }
  throw boost::system::system_error(
      make_error_code(ddb::errc::conditional_check_failed),
      "the month range in the metadata item of table '" + table + "' changed under " +
          std::to_string(max_range_attempts) +
          " conditional writes in a row (many writers extending it at once); retry");
}

asio::awaitable<void> repo_state::cover_months(std::vector<chr::year_month> months) {
  if (months.empty()) co_return;
  bool loaded = false;
  {
    const std::lock_guard lock(metadata_mutex_);
    if (known_shards_ && covers(known_months_, months)) co_return;
    loaded = known_shards_.has_value();
  }
  // First use in this process: learn the stored range, which usually covers the months already.
  if (!loaded) {
    co_await read_metadata();
    const std::lock_guard lock(metadata_mutex_);
    if (known_shards_ && covers(known_months_, months)) co_return;
  }
  std::optional<month_range> known;
  {
    const std::lock_guard lock(metadata_mutex_);
    known = known_months_;
  }
  const month_range wanted = widened(known, months);
  co_await extend_months(wanted);
}

namespace {

asio::awaitable<std::optional<month_range>> read_event_months(std::shared_ptr<repo_state> state) {
  const std::optional<table_metadata> metadata = co_await state->read_metadata();
  if (!metadata) co_return std::nullopt;
  co_return metadata->months;
}

}  // namespace

asio::awaitable<std::optional<month_range>> repo::event_months() {
  return read_event_months(state_);
}

}  // namespace evstore
