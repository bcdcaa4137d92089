// The table's metadata item at run time: recording the months that hold events before they are
// written (cover_months), the shard count at init, the complete range after migrate, and the
// months a replay reads: the item's range when complete, else also those a Scan of the time
// index finds.

#include <algorithm>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "repo_state.hpp"
#include "store/metadata_item.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;
namespace chr = std::chrono;

/// Conditional writes of the range tried before giving up (each failure means another writer
/// widened the range meanwhile, and the next try includes what it wrote).
constexpr unsigned max_range_attempts = 8;
/// Segments of the Scan that finds the months of the time index.
constexpr std::int32_t survey_segments = 4;
/// Scan pages one survey segment reads at most (1 MB each): a bound, not an expected size.
constexpr std::size_t max_survey_pages_per_segment = 1'000'000;

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
  // Nothing in the time index: every month with events is one a later append records, so the
  // (absent) range is complete. Otherwise the marker is left to migrate.
  std::optional<chr::year_month> complete_since;
  if (co_await time_index_is_empty()) complete_since = month_of(now_ms());
  const ddb::update_item_request request = record_shards_request(table, configured, complete_since);
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

asio::awaitable<bool> repo_state::time_index_is_empty() {
  ddb::scan_request request;
  request.table_name = table;
  request.index_name = std::string(time_bucket_index);
  request.limit = 1;
  const ddb::scan_result result = co_await ddb.scan(request);
  // Without a filter an empty page ends the index; a page that stopped early says nothing.
  co_return result.items.empty() && !result.last_evaluated_key;
}

namespace {

/// One segment of the survey. `state` outlives it: the caller awaits every segment.
asio::awaitable<month_survey> survey_segment(repo_state& state, std::int32_t segment) {
  ddb::scan_request request;
  request.table_name = state.table;
  request.index_name = std::string(time_bucket_index);
  request.projection_expression = "#bucket";
  request.names = {{"#bucket", "timeBucket"}};
  request.segment = segment;
  request.total_segments = survey_segments;
  month_survey survey;
  for (std::size_t page = 0; page < max_survey_pages_per_segment; ++page) {
    ddb::scan_result result = co_await state.ddb.scan(request);
    for (const ddb::item& entry : result.items) {
      const auto bucket = entry.find("timeBucket");
      if (bucket == entry.end() || bucket->second.type() != ddb::attribute_type::s)
        ++survey.unreadable;
      else
        survey.add(bucket->second.as_string());
    }
    if (!result.last_evaluated_key) co_return survey;
    request.exclusive_start_key = std::move(result.last_evaluated_key);
  }
  throw boost::system::system_error(
      make_error_code(store_errc::corrupt_item),
      "the Scan of " + std::string(time_bucket_index) + " on table '" + state.table +
          "' did not end after " + std::to_string(max_survey_pages_per_segment) +
          " pages in one segment; run `evstore migrate` so that replay reads the recorded range");
}

}  // namespace

asio::awaitable<month_survey> repo_state::survey_months() {
  using segment_op = decltype(asio::co_spawn(
      executor, std::declval<asio::awaitable<month_survey>>(), asio::deferred));
  std::vector<segment_op> scans;
  for (std::int32_t s = 0; s < survey_segments; ++s)
    scans.push_back(asio::co_spawn(executor, survey_segment(*this, s), asio::deferred));
  auto [order, errors, surveys] =
      co_await asio::experimental::make_parallel_group(std::move(scans))
          .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  month_survey all;
  for (const month_survey& part : surveys) all.merge(part);
  if (all.unreadable > 0) {
    log(log_level::warning,
        std::to_string(all.unreadable) + " entries of " + std::string(time_bucket_index) +
            " in table '" + table +
            "' have a timeBucket that is neither YYYY-MM nor YYYY-MM#<shard>: replay cannot read "
            "them (written by another program?)");
  }
  co_return all;
}

asio::awaitable<std::optional<table_metadata>> repo_state::read_metadata_leniently(
    std::string& doubt) {
  std::optional<table_metadata> metadata;
  try {
    metadata = co_await read_metadata();
  } catch (const boost::system::system_error& error) {
    if (error.code() != store_errc::corrupt_item) throw;
    log(log_level::warning, error.what());
    doubt = "has a corrupt metadata item";
    co_return std::nullopt;
  }
  if (!metadata)
    doubt = "has no metadata item (" + std::string(metadata_item_id) + ")";
  else if (!metadata->complete_since)
    doubt = "has a metadata item whose month range is not known to be complete";
  co_return metadata;
}

asio::awaitable<replay_span> repo_state::replay_months(replay_bounds bounds) {
  std::string doubt;
  const std::optional<table_metadata> metadata = co_await read_metadata_leniently(doubt);
  std::optional<month_survey> survey;
  if (needs_survey(metadata, bounds)) {
    survey = co_await survey_months();
    log(log_level::info, "table '" + table + "' " + doubt + ": replay reads the " +
                             std::to_string(survey->months.size()) + " months a Scan of " +
                             std::string(time_bucket_index) +
                             " found with the recorded ones; `evstore migrate` records the range "
                             "so that replays skip this Scan");
  }
  co_return plan_replay_span(metadata, survey, month_of(now_ms()), bounds);
}

asio::awaitable<std::optional<month_range>> repo_state::event_months() {
  std::string doubt;
  const std::optional<table_metadata> metadata = co_await read_metadata_leniently(doubt);
  if (metadata && metadata->complete_since) co_return metadata->months;
  const std::optional<month_survey> survey = co_await survey_months();
  log(log_level::info, "table '" + table + "' " + doubt + ": its months were found by a Scan of " +
                           std::string(time_bucket_index) +
                           "; `evstore migrate` records the range");
  co_return known_event_months(metadata, survey);
}

asio::awaitable<std::optional<ddb::item>> repo_state::read_metadata_item() {
  const ddb::get_item_request request{
      .table_name = table, .key = metadata_item_key(), .consistent_read = true};
  ddb::get_item_result result = co_await ddb.get_item(request);
  co_return std::move(result.item);
}

asio::awaitable<std::optional<table_metadata>> repo_state::write_if_unchanged(
    ddb::update_item_request request) {
  try {
    const ddb::update_item_result result = co_await ddb.update_item(request);
    co_return result.attributes ? metadata_from_item(*result.attributes) : table_metadata{};
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::conditional_check_failed) throw;
  }
  co_return std::nullopt;
}

namespace {

/// migrate's write of the complete range over the item as read (nullopt: none).
struct complete_months_write {
  ddb::update_item_request request;
  std::string description;
};

complete_months_write complete_months_request(const std::string& table,
                                              const std::optional<ddb::item>& stored,
                                              const month_survey& survey, unsigned configured) {
  std::optional<table_metadata> metadata;
  bool corrupt = false;
  if (stored) {
    try {
      metadata = metadata_from_item(*stored);
    } catch (const boost::system::system_error& error) {
      if (error.code() != store_errc::corrupt_item) throw;
      corrupt = true;
    }
  }
  // A recorded count is kept unless the index holds higher shards (a lost item recreated with
  // another count): replay must read every shard bucket there is.
  const unsigned shards =
      std::max(metadata && metadata->shards ? *metadata->shards : configured, survey.shards);
  const std::optional<month_range> months = known_event_months(metadata, survey);
  const chr::year_month now = month_of(now_ms());
  complete_months_write write;
  if (corrupt)
    write.request = replace_metadata_request(table, *stored, months, shards, now);
  else if (months)
    write.request = extend_months_request(table, *months, shards, months_write::complete, now);
  else
    write.request = record_shards_request(table, shards, now, true);
  write.request.return_values = ddb::return_values::all_new;
  write.description = "recorded months " + (months ? describe(*months) : "(none)") + " and " +
                      std::to_string(shards) + " shard(s) as complete in table '" + table + "'" +
                      (corrupt ? ", replacing a corrupt metadata item" : "");
  return write;
}

}  // namespace

asio::awaitable<void> repo_state::record_complete_months(const month_survey& survey) {
  const unsigned configured = checked_shard_count(options.time_bucket_shards);
  for (unsigned attempt = 0; attempt < max_range_attempts; ++attempt) {
    const std::optional<ddb::item> stored = co_await read_metadata_item();
    const complete_months_write write = complete_months_request(table, stored, survey, configured);
    const std::optional<table_metadata> written = co_await write_if_unchanged(write.request);
    if (written) {
      remember(*written);
      log(log_level::info, write.description);
      co_return;
    }
    // Another writer changed the item since it was read: read it again and include its range.
  }
  throw boost::system::system_error(
      make_error_code(ddb::errc::conditional_check_failed),
      "the metadata item of table '" + table + "' changed under " +
          std::to_string(max_range_attempts) +
          " conditional writes in a row (many writers extending it at once); run migrate again");
}

asio::awaitable<std::optional<month_range>> repo::event_months() {
  return when_open(state_, "event_months", state_->event_months());
}

}  // namespace evstore
