#include "evstore/store/repo.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "append_outcome.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/validation.hpp"
#include "repo_operations.hpp"
#include "repo_state.hpp"
#include "start_operation.hpp"
#include "store/item_codec.hpp"
#include "stream_index.hpp"
#include "stream_scan.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

asio::awaitable<void> ensure_bucket(std::shared_ptr<repo_state> state) {
  const std::string& bucket = state->options.s3_bucket_name;
  if (co_await state->s3.head_bucket(bucket)) co_return;
  if (co_await state->s3.create_bucket(bucket))
    state->log(log_level::info, "created bucket '" + bucket + "'");
}

/// For skip_bucket_creation: the bucket must be there, or the first offloaded payload would fail
/// long after init reported success.
asio::awaitable<void> check_bucket(std::shared_ptr<repo_state> state) {
  const std::string& bucket = state->options.s3_bucket_name;
  if (co_await state->s3.head_bucket(bucket)) co_return;
  throw boost::system::system_error(
      make_error_code(boost::system::errc::no_such_file_or_directory),
      "the S3 bucket '" + bucket +
          "' does not exist and skip_bucket_creation is set, so init does not create it: create "
          "the bucket, or unset skip_bucket_creation");
}

asio::awaitable<void> init_store(std::shared_ptr<repo_state> state) {
  state->check_open("init");
  if (!state->options.skip_table_creation) {
    co_await state->ensure_table();
    co_await ensure_stream_index(*state);
  }
  co_await state->record_shards();  // the table's time-bucket shards, kept from its first init
  if (state->options.s3_bucket_name.empty()) co_return;
  if (state->options.skip_bucket_creation)
    co_await check_bucket(state);
  else
    co_await ensure_bucket(state);
}

asio::awaitable<std::uint64_t> read_stream_sequence(std::shared_ptr<repo_state> state,
                                                    std::string domain, std::string identifier) {
  state->check_open("stream_sequence");
  const ddb::get_item_request request{.table_name = state->table,
                                      .key = head_item_key(domain, identifier),
                                      .consistent_read = true};
  const ddb::get_item_result head = co_await state->ddb.get_item(request);
  co_return head_version(head.item);
}

/// Whether `id` can name a stored event at all (other ids would make DynamoDB reject the key).
bool storable_id(std::string_view id) {
  return !id.empty() && !id.starts_with("HEAD::") && !id.starts_with("SNAPSHOT::") &&
         !id.starts_with("META::") && event_key(id).size() <= max_partition_key_bytes;
}

asio::awaitable<std::optional<event>> read_event(std::shared_ptr<repo_state> state,
                                                 std::string id) {
  state->check_open("get_event_by_id");
  if (!storable_id(id)) co_return std::nullopt;
  co_return co_await state->event_by_id(std::move(id));
}

asio::awaitable<std::vector<event>> read_caused_by(std::shared_ptr<repo_state> state,
                                                   std::string id) {
  state->check_open("find_by_causation_id");
  std::vector<event> events;
  if (id.empty()) co_return events;
  ddb::query_request request;
  request.table_name = state->table;
  request.index_name = std::string(causation_index);
  request.key_condition_expression = "#causation = :causation";
  request.names = {{"#causation", "causationId"}};
  request.values = {{":causation", ddb::attribute_value::string(id)}};
  do {
    ddb::query_result page = co_await state->ddb.query(request);
    std::vector<event> hydrated = co_await state->hydrate(page.items);
    std::move(hydrated.begin(), hydrated.end(), std::back_inserter(events));
    request.exclusive_start_key = std::move(page.last_evaluated_key);
  } while (request.exclusive_start_key);
  co_return events;
}

asio::awaitable<void> delete_offloaded_objects(std::shared_ptr<repo_state> state) {
  const std::string& bucket = state->options.s3_bucket_name;
  if (!co_await state->s3.head_bucket(bucket)) co_return;
  std::vector<std::string> keys;
  for (const s3::object_summary& object :
       co_await state->s3.list_all_objects(bucket, state->options.s3_key_prefix))
    keys.push_back(object.key);
  if (keys.empty()) co_return;
  const std::size_t count = keys.size();
  const std::vector<s3::delete_failure> failures =
      co_await state->s3.delete_objects(bucket, std::move(keys));
  if (!failures.empty()) {
    throw boost::system::system_error(
        make_error_code(store_errc::payload_unavailable),
        std::to_string(failures.size()) + " of " + std::to_string(count) +
            " offloaded objects under s3://" + bucket + "/" + state->options.s3_key_prefix +
            " could not be deleted (first: " + failures.front().key + ": " + failures.front().code +
            "); check the bucket's permissions and reset again");
  }
  state->log(log_level::info, "deleted " + std::to_string(count) + " offloaded objects");
}

asio::awaitable<void> reset(std::shared_ptr<repo_state> state, bool keep_objects) {
  state->check_open("reset_store");
  try {
    const ddb::delete_table_request request{.table_name = state->table};
    co_await state->ddb.delete_table(request);
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::resource_not_found) throw;
  }
  co_await state->ddb.wait_until_deleted(state->table);
  if (!keep_objects && !state->options.s3_bucket_name.empty())
    co_await delete_offloaded_objects(state);
  co_await state->ensure_table();
  co_await ensure_stream_index(*state);
  co_await state->record_shards();  // a new table: forget the old one's range and shards
}

asio::awaitable<std::optional<month_range>> read_event_months(std::shared_ptr<repo_state> state) {
  state->check_open("event_months");
  co_return co_await state->event_months();
}

}  // namespace

repo::repo(asio::any_io_executor executor, aws::config config, repo_options options)
    : state_(std::make_shared<repo_state>(std::move(executor), std::move(config),
                                          std::move(options))) {}
repo::~repo() = default;
repo::repo(repo&&) noexcept = default;
repo& repo::operator=(repo&&) noexcept = default;

void repo::close() {
  state_->close();
}

const std::string& repo::table_name() const noexcept {
  return state_->table;
}

repo_metrics repo::metrics() const noexcept {
  repo_metrics counted;
  counted.dynamodb = state_->ddb.service().metrics().snapshot();
  // repo_state gives the S3 client's per-bucket service clients one shared metrics object.
  counted.s3 = state_->s3.options().service.metrics->snapshot();
  return counted;
}

asio::awaitable<void> repo::init() {
  return init_store(state_);
}

asio::awaitable<std::vector<event>> repo::append(std::vector<event> events) {
  return events_or_throw(append_events(state_, std::move(events), append_options{}));
}

asio::awaitable<std::vector<event>> repo::append(std::vector<event> events,
                                                 append_options options) {
  return events_or_throw(append_events(state_, std::move(events), options));
}

asio::awaitable<std::vector<event>> repo::append_atomic(atomic_append request) {
  return events_or_throw(append_atomic_events(state_, std::move(request)));
}

asio::awaitable<std::uint64_t> repo::stream_sequence(std::string_view domain,
                                                     std::string_view identifier) {
  return read_stream_sequence(state_, std::string(domain), std::string(identifier));
}

replay repo::all_events() {
  return replay{state_, replay_options{}};
}

replay repo::all_events(replay_options options) {
  return replay{state_, options};
}

asio::awaitable<std::vector<event>> repo::stream_events(std::string_view domain,
                                                        std::string_view identifier) {
  return read_stream_events(state_, std::string(domain), std::string(identifier),
                            stream_read_options{});
}

asio::awaitable<std::vector<event>> repo::stream_events(std::string_view domain,
                                                        std::string_view identifier,
                                                        stream_read_options options) {
  return read_stream_events(state_, std::string(domain), std::string(identifier), options);
}

asio::awaitable<bool> repo::save_snapshot(snapshot value) {
  return store_snapshot(state_, std::move(value));
}

asio::awaitable<std::optional<snapshot>> repo::get_snapshot(std::string_view domain,
                                                            std::string_view identifier) {
  return load_snapshot(state_, std::string(domain), std::string(identifier));
}

asio::awaitable<migrate_progress> repo::migrate() {
  return migrate_table(state_, migrate_options{});
}

asio::awaitable<migrate_progress> repo::migrate(migrate_options options) {
  return migrate_table(state_, std::move(options));
}

asio::awaitable<std::optional<event>> repo::get_event_by_id(std::string_view id) {
  return read_event(state_, std::string(id));
}

asio::awaitable<std::vector<event>> repo::find_by_causation_id(std::string_view id) {
  return read_caused_by(state_, std::string(id));
}

asio::awaitable<void> repo::reset_store() {
  return reset(state_, false);
}

asio::awaitable<void> repo::reset_store(bool keep_objects) {
  return reset(state_, keep_objects);
}

// The completion-token forms: the same coroutines, spawned by start_operation.

repo::executor_type repo::get_executor() const {
  return state_->executor;
}

void repo::start_init(handler<void> h, shared_state state, diagnostics* diag) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, init_store(std::move(state)), std::move(h), diag);
}

void repo::start_append(handler<std::vector<event>> h, shared_state state, diagnostics* diag,
                        std::vector<event> events, append_options options) {
  const asio::any_io_executor executor = state->executor;
  start_append_operation(executor, append_events(std::move(state), std::move(events), options),
                         std::move(h), diag);
}

void repo::start_append_atomic(handler<std::vector<event>> h, shared_state state, diagnostics* diag,
                               atomic_append request) {
  const asio::any_io_executor executor = state->executor;
  start_append_operation(executor, append_atomic_events(std::move(state), std::move(request)),
                         std::move(h), diag);
}

void repo::start_stream_sequence(handler<std::uint64_t> h, shared_state state, diagnostics* diag,
                                 std::string domain, std::string identifier) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor,
                  read_stream_sequence(std::move(state), std::move(domain), std::move(identifier)),
                  std::move(h), diag);
}

void repo::start_stream_events(handler<std::vector<event>> h, shared_state state, diagnostics* diag,
                               std::string domain, std::string identifier,
                               stream_read_options options) {
  const asio::any_io_executor executor = state->executor;
  start_operation(
      executor,
      read_stream_events(std::move(state), std::move(domain), std::move(identifier), options),
      std::move(h), diag);
}

void repo::start_save_snapshot(handler<bool> h, shared_state state, diagnostics* diag,
                               snapshot value) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, store_snapshot(std::move(state), std::move(value)), std::move(h), diag);
}

void repo::start_get_snapshot(handler<std::optional<snapshot>> h, shared_state state,
                              diagnostics* diag, std::string domain, std::string identifier) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor,
                  load_snapshot(std::move(state), std::move(domain), std::move(identifier)),
                  std::move(h), diag);
}

void repo::start_event_months(handler<std::optional<month_range>> h, shared_state state,
                              diagnostics* diag) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, read_event_months(std::move(state)), std::move(h), diag);
}

void repo::start_migrate(handler<migrate_progress> h, shared_state state, diagnostics* diag,
                         migrate_options options) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, migrate_table(std::move(state), std::move(options)), std::move(h),
                  diag);
}

void repo::start_get_event_by_id(handler<std::optional<event>> h, shared_state state,
                                 diagnostics* diag, std::string id) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, read_event(std::move(state), std::move(id)), std::move(h), diag);
}

void repo::start_find_by_causation_id(handler<std::vector<event>> h, shared_state state,
                                      diagnostics* diag, std::string id) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, read_caused_by(std::move(state), std::move(id)), std::move(h), diag);
}

void repo::start_reset_store(handler<void> h, shared_state state, diagnostics* diag,
                             bool keep_objects) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, reset(std::move(state), keep_objects), std::move(h), diag);
}

asio::awaitable<stream_scan_totals> repo::scan_streams(
    std::function<void(const std::vector<stream_summary>&)> on_page) {
  return scan_stream_heads(state_, std::move(on_page));
}

void repo::start_scan_streams(handler<stream_scan_totals> h, shared_state state, diagnostics* diag,
                              std::function<void(const std::vector<stream_summary>&)> on_page) {
  const asio::any_io_executor executor = state->executor;
  start_operation(executor, scan_stream_heads(std::move(state), std::move(on_page)), std::move(h),
                  diag);
}

}  // namespace evstore
