// repo::migrate: a parallel Scan of every event item (those with a `timeBucket`): the ones the
// TypeScript adapter wrote (no `stream` attribute) each get their `stream` by a conditional
// UpdateItem, and the months of all of them are recorded, complete, once the Scan is done.

#include <algorithm>
#include <mutex>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "repo_operations.hpp"
#include "repo_state.hpp"
#include "store/item_codec.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Scan segments at most (DynamoDB allows 1,000,000; more than this only adds requests).
constexpr std::size_t max_segments = 64;
/// Scan pages one segment reads at most (1 MB each): a bound, not an expected size.
constexpr std::size_t max_pages_per_segment = 1'000'000;

/// Totals and months shared by the segments; the callback sees the totals after each page.
struct migrate_totals {
  std::mutex mutex;
  migrate_progress progress;
  month_survey months;
  const std::function<void(const migrate_progress&)>* on_progress;

  void add(std::uint64_t scanned, std::uint64_t updated, const month_survey& page_months) {
    migrate_progress now;
    {
      const std::lock_guard lock(mutex);
      progress.items_scanned += scanned;
      progress.items_updated += updated;
      months.merge(page_months);
      now = progress;
    }
    if (*on_progress) (*on_progress)(now);
  }
};

/// Item ids of the table that are not events (stream heads, the metadata item, snapshots).
bool is_event_id(std::string_view id) {
  if (!id.starts_with(event_key_prefix)) return false;
  id.remove_prefix(event_key_prefix.size());
  return !id.starts_with("HEAD::") && !id.starts_with("META::") && !id.starts_with("SNAPSHOT::");
}

const std::string* string_of(const ddb::item& item, std::string_view name) {
  const auto it = item.find(name);
  return it != item.end() && it->second.type() == ddb::attribute_type::s ? &it->second.as_string()
                                                                         : nullptr;
}

/// Gives one item its `stream`; false when it has one already (a concurrent migrate or an
/// evstore rewrite) or is gone.
asio::awaitable<bool> set_stream(repo_state& state, const ddb::item& entry) {
  const std::string* domain = string_of(entry, "domain");
  if (!domain) {
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "the event item '" + entry.at("id").as_string() + "' / '" +
                                          entry.at("created").as_string() +
                                          "' has no string 'domain': inspect the table");
  }
  const std::string* identifier = string_of(entry, "identifier");
  ddb::update_item_request request;
  request.table_name = state.table;
  request.key.emplace("id", entry.at("id"));
  request.key.emplace("created", entry.at("created"));
  request.update_expression = "SET #stream = :stream";
  // Idempotent, and never recreates an item deleted since the scan read it.
  request.condition_expression = "attribute_not_exists(#stream) AND attribute_exists(#id)";
  request.names = {{"#stream", std::string(stream_attribute)}, {"#id", "id"}};
  request.values = {{":stream", ddb::attribute_value::string(stream_name(
                                    *domain, identifier ? *identifier : std::string()))}};
  try {
    co_await state.ddb.update_item(request);
    co_return true;
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::conditional_check_failed) throw;
  }
  co_return false;
}

/// Scans one segment; false when it stopped before its end.
asio::awaitable<bool> migrate_segment(std::shared_ptr<repo_state> state, std::int32_t segment,
                                      std::int32_t segments, migrate_totals& totals) {
  ddb::scan_request request;
  request.table_name = state->table;
  request.segment = segment;
  request.total_segments = segments;
  // Every event item (they have a timeBucket): its bucket is recorded, its stream set if absent.
  request.filter_expression = "attribute_exists(#bucket)";
  request.projection_expression = "#id, #created, #domain, #identifier, #bucket, #stream";
  request.names = {{"#stream", std::string(stream_attribute)},
                   {"#bucket", "timeBucket"},
                   {"#id", "id"},
                   {"#created", "created"},
                   {"#domain", "domain"},
                   {"#identifier", "identifier"}};
  for (std::size_t page = 0; page < max_pages_per_segment; ++page) {
    ddb::scan_result result = co_await state->ddb.scan(request);
    month_survey months;
    std::uint64_t updated = 0;
    for (const ddb::item& item : result.items) {
      const std::string* id = string_of(item, "id");
      if (!id || !string_of(item, "created") || !is_event_id(*id)) continue;
      const std::string* bucket = string_of(item, "timeBucket");
      if (bucket)
        months.add(*bucket);
      else
        ++months.unreadable;
      if (item.contains(std::string(stream_attribute))) continue;
      const bool set = co_await set_stream(*state, item);
      if (set) ++updated;
    }
    totals.add(static_cast<std::uint64_t>(result.scanned_count), updated, months);
    if (!result.last_evaluated_key) co_return true;
    request.exclusive_start_key = std::move(result.last_evaluated_key);
  }
  state->log(log_level::warning, "migrate stopped scan segment " + std::to_string(segment) +
                                     " after " + std::to_string(max_pages_per_segment) +
                                     " pages; run migrate again to continue");
  co_return false;
}

}  // namespace

asio::awaitable<migrate_progress> migrate_table(std::shared_ptr<repo_state> state,
                                                migrate_options options) {
  state->check_open("migrate");
  const std::size_t segments = std::clamp<std::size_t>(options.parallel_segments, 1, max_segments);
  migrate_totals totals;
  totals.on_progress = &options.on_progress;
  using segment_op = decltype(asio::co_spawn(state->executor, std::declval<asio::awaitable<bool>>(),
                                             asio::deferred));
  std::vector<segment_op> scans;
  for (std::size_t s = 0; s < segments; ++s) {
    scans.push_back(asio::co_spawn(state->executor,
                                   migrate_segment(state, static_cast<std::int32_t>(s),
                                                   static_cast<std::int32_t>(segments), totals),
                                   asio::deferred));
  }
  auto [order, errors, finished] =
      co_await asio::experimental::make_parallel_group(std::move(scans))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  // Only a Scan of the whole table may mark the range complete. Appends record their months
  // before they write, and the write below unites with what is stored, so an event written
  // during the Scan is covered even when the Scan missed it.
  if (std::all_of(finished.begin(), finished.end(), [](bool done) { return done; })) {
    if (totals.months.unreadable > 0) {
      state->log(log_level::warning,
                 std::to_string(totals.months.unreadable) +
                     " event items have a timeBucket that is neither YYYY-MM nor "
                     "YYYY-MM#<shard> (or none): replay cannot read them");
    }
    co_await state->record_complete_months(totals.months);
  }
  state->log(log_level::info, "migrate scanned " + std::to_string(totals.progress.items_scanned) +
                                  " items and gave " +
                                  std::to_string(totals.progress.items_updated) +
                                  " events their stream");
  co_return totals.progress;
}

}  // namespace evstore
