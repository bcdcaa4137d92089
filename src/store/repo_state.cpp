#include "repo_state.hpp"

#include <algorithm>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/store/batch_get_events.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/item_size.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "stream_index.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Offloaded payloads of one hydration fetched at once when the caller sets no limit.
constexpr std::size_t concurrent_payload_fetches = 8;
/// Stream head versions remembered at most; past that the memory starts again, empty.
constexpr std::size_t max_known_heads = 10'000;
/// BatchGetItem rounds in a row that read nothing before hydration gives up.
constexpr unsigned max_stalled_batch_rounds = 10;
/// One request stops retrying this long after its first attempt: half DynamoDB's 10-minute
/// idempotency window of a ClientRequestToken, so a resent transaction is still recognised.
constexpr std::chrono::minutes max_request_retry_time{5};

std::string table_name_of(const repo_options& options) {
  return options.table_name_prefix + std::string(table_base_name);
}

// Each service's requests are counted in one metrics object (repo::metrics) and its retries
// and throttles logged through the repo's logger. Retry settings the options leave unset come
// from the config; TLS trusts the config's CA bundle.
aws::service_client_options service_options(const repo_options& options,
                                            const aws::config& config) {
  aws::service_client_options service;
  service.metrics = std::make_shared<aws::service_metrics>();
  service.log = options.log;
  service.http.request_timeout = options.request_timeout;
  service.http.max_connections = options.max_connections;
  service.http.ca_file = config.ca_bundle;
  service.retry.max_attempts = options.max_attempts.value_or(config.max_attempts.value_or(0));
  service.retry.max_time_without_progress = options.max_time_without_progress;
  service.retry.max_request_time = max_request_retry_time;
  service.retry.mode =
      options.retry_mode.value_or(config.retry_mode.value_or(aws::retry_mode::adaptive));
  return service;
}

dynamodb::client_options dynamodb_options() {
  dynamodb::client_options options;
  options.count_consumed_capacity = true;
  return options;
}

s3::client_options s3_options(const repo_options& repo, const aws::config& config) {
  s3::client_options options;
  options.service = service_options(repo, config);
  options.service.http.max_response_body = max_offloaded_object_bytes + 1024 * 1024;
  return options;
}

/// The event id of an index entry (its `id` is `EventID#<id>`), to look its event up by.
std::string_view event_id_of(const ddb::item& entry) {
  const auto id = entry.find("id");
  if (id == entry.end() || id->second.type() != ddb::attribute_type::s ||
      !id->second.as_string().starts_with(event_key_prefix)) {
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "an index entry lacks the key attribute 'id' of the form "
                                      "EventID#<id>: inspect the table");
  }
  return std::string_view(id->second.as_string()).substr(event_key_prefix.size());
}

ddb::item primary_key(const ddb::item& entry) {
  ddb::item key;
  key.emplace("id", entry.at("id"));
  key.emplace("created", entry.at("created"));
  return key;
}

ddb::create_table_request table_definition(const std::string& table, const repo_options& options) {
  using ddb::key_type;
  using ddb::scalar_type;
  ddb::create_table_request request;
  request.table_name = table;
  request.attribute_definitions = {{"id", scalar_type::s},
                                   {"timeBucket", scalar_type::s},
                                   {"causationId", scalar_type::s},
                                   {"created", scalar_type::s}};
  request.key_schema = {{"id", key_type::hash}, {"created", key_type::range}};
  std::optional<ddb::provisioned_throughput> throughput;
  if (options.on_demand) {
    request.billing_mode = ddb::billing_mode::pay_per_request;
  } else {
    request.billing_mode = ddb::billing_mode::provisioned;
    throughput =
        ddb::provisioned_throughput{options.read_capacity_units, options.write_capacity_units};
    request.provisioned_throughput = throughput;
  }
  const ddb::projection keys_only{ddb::projection_type::keys_only, {}};
  request.global_secondary_indexes = {
      {std::string(time_bucket_index),
       {{"timeBucket", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
      {std::string(causation_index),
       {{"causationId", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
  };
  // The stream index (stream_index.hpp) is created with the table rather than added later.
  for (ddb::attribute_definition& definition : stream_index_attributes())
    request.attribute_definitions.push_back(std::move(definition));
  request.global_secondary_indexes.push_back(stream_index_definition(throughput));
  return request;
}

}  // namespace

payload_read_limit::payload_read_limit(asio::any_io_executor executor, std::size_t max_in_flight)
    : places_(std::move(executor), std::max<std::size_t>(max_in_flight, 1)) {}

asio::awaitable<void> payload_read_limit::acquire() {
  const boost::system::error_code place_taken{};
  co_await places_.async_send(place_taken, asio::use_awaitable);
}

void payload_read_limit::release() {
  places_.try_receive([](boost::system::error_code) {});
}

repo_state::repo_state(asio::any_io_executor ex, aws::config config, repo_options opts)
    : executor(ex),
      options(std::move(opts)),
      table(table_name_of(options)),
      ddb(aws::service_client{ex, config.endpoint_for("dynamodb"), config.region, "dynamodb",
                              aws::make_default_credentials_provider(ex, config),
                              service_options(options, config)},
          dynamodb_options()),
      s3(ex, config, aws::make_default_credentials_provider(ex, config),
         s3_options(options, config)) {
  options.offload_threshold_bytes = std::min(options.offload_threshold_bytes, max_item_bytes);
}

void repo_state::log(log_level level, std::string_view message) const {
  if (options.log) options.log(level, message);
}

timestamp repo_state::reserve_times() {
  const std::lock_guard lock(created_mutex_);
  last_created_ = std::max(now_ms(), last_created_);
  return last_created_;
}

asio::awaitable<void> repo_state::backoff(unsigned attempt, std::chrono::milliseconds base,
                                          std::chrono::milliseconds cap) {
  const auto ceiling = std::min<std::int64_t>(cap.count(), base.count() << std::min(attempt, 20u));
  std::chrono::milliseconds delay{0};
  {
    const std::lock_guard lock(random_mutex_);
    delay = std::chrono::milliseconds{std::uniform_int_distribution<std::int64_t>{
        0, std::max<std::int64_t>(ceiling, 1) - 1}(random_)};
  }
  asio::steady_timer timer{executor, delay};
  co_await timer.async_wait(asio::use_awaitable);
}

asio::awaitable<std::vector<std::optional<decoded_item>>> repo_state::batch_get(
    const std::vector<ddb::item>& keys) {
  // Responses are read straight into events (decode_batch_get_events: no JSON document, no
  // item maps). Found events by their item key (id, created): other writers can store one id in
  // two items, and each key must get its own item.
  std::map<std::pair<std::string, std::string>, decoded_item> found;
  std::vector<ddb::item> pending = keys;
  unsigned stalled = 0;
  while (!pending.empty()) {
    ddb::batch_get_item_request request;
    request.request_items[table] = ddb::keys_and_attributes{pending, true, std::nullopt, {}};
    request.return_consumed_capacity = ddb::return_consumed_capacity::total;
    std::string body = ddb::to_body(request);
    const http::response response =
        co_await ddb.send(ddb::batch_get_item_request::operation, std::move(body));
    batch_get_events got = decode_batch_get_events(response.body, table);
    ddb.service().metrics().add_consumed_capacity(got.consumed_capacity_units);
    for (decoded_item& item : got.events) {
      std::pair<std::string, std::string> key{item.value.id, item.created_key};
      found.insert_or_assign(std::move(key), std::move(item));
    }
    std::vector<ddb::item> unprocessed = std::move(got.unprocessed_keys);
    if (unprocessed.empty()) break;
    stalled = unprocessed.size() < pending.size() ? 0 : stalled + 1;
    if (stalled >= max_stalled_batch_rounds) {
      throw boost::system::system_error(
          make_error_code(ddb::errc::throughput_exceeded),
          "BatchGetItem on table '" + table + "' left " + std::to_string(unprocessed.size()) +
              " keys unprocessed " + std::to_string(stalled) +
              " times in a row: the table's read capacity is too low; raise it or retry later");
    }
    log(log_level::debug, "BatchGetItem left " + std::to_string(unprocessed.size()) +
                              " keys unprocessed; asking for them again");
    co_await backoff(stalled, std::chrono::milliseconds{50}, std::chrono::milliseconds{2000});
    pending = std::move(unprocessed);
  }
  std::vector<std::optional<decoded_item>> ordered;
  ordered.reserve(keys.size());
  for (const ddb::item& key : keys) {
    auto node = found.extract(
        std::pair<std::string, std::string>{event_id_of(key), key.at("created").as_string()});
    ordered.push_back(node ? std::optional<decoded_item>(std::move(node.mapped())) : std::nullopt);
  }
  co_return ordered;
}

namespace {

asio::awaitable<std::string> fetch_payload(s3::client& s3, s3_location where, std::string id) {
  try {
    s3::object object = co_await s3.get_object(where.bucket, where.key, max_offloaded_object_bytes);
    co_return event_from_json(object.body).payload_json;
  } catch (const boost::system::system_error& error) {
    // A cancelled read says nothing of the object: the caller's cancellation stays one.
    if (error.code() == boost::asio::error::operation_aborted) throw;
    throw boost::system::system_error(
        make_error_code(store_errc::payload_unavailable),
        "the payload of event '" + id + "' is offloaded to s3://" + where.bucket + "/" + where.key +
            " but cannot be read (" + error.what() +
            "); check that the object exists and the bucket is reachable");
  }
}

/// fetch_payload once `limit` has a place for it.
asio::awaitable<std::string> fetch_payload_within(payload_read_limit& limit, s3::client& s3,
                                                  s3_location where, std::string id) {
  co_await limit.acquire();
  struct place_guard {
    payload_read_limit& limit;
    ~place_guard() { limit.release(); }
  } guard{limit};
  co_return co_await fetch_payload(s3, std::move(where), std::move(id));
}

}  // namespace

asio::awaitable<void> repo_state::fetch_payloads(std::vector<decoded_item>& decoded,
                                                 payload_read_limit& limit) {
  using fetch_op = decltype(asio::co_spawn(executor, std::declval<asio::awaitable<std::string>>(),
                                           asio::deferred));
  std::vector<std::size_t> offloaded;
  std::vector<fetch_op> fetches;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (!decoded[i].offloaded) continue;
    offloaded.push_back(i);
    fetches.push_back(asio::co_spawn(
        executor, fetch_payload_within(limit, s3, *decoded[i].offloaded, decoded[i].value.id),
        asio::deferred));
  }
  if (fetches.empty()) co_return;
  auto [order, errors, payloads] =
      co_await asio::experimental::make_parallel_group(std::move(fetches))
          .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  for (std::size_t k = 0; k < offloaded.size(); ++k) {
    decoded_item& item = decoded[offloaded[k]];
    item.value.payload_json = std::move(payloads[k]);
    item.offloaded.reset();
  }
}

asio::awaitable<event> repo_state::complete(decoded_item decoded) {
  std::vector<decoded_item> one;
  one.push_back(std::move(decoded));
  payload_read_limit limit{executor, 1};
  co_await fetch_payloads(one, limit);
  co_return std::move(one.front().value);
}

std::optional<stream_head> repo_state::known_head_version(const std::string& stream) const {
  const std::lock_guard lock(heads_mutex_);
  const auto found = known_heads_.find(stream);
  if (found == known_heads_.end()) return std::nullopt;
  return found->second;
}

void repo_state::remember_head_version(const std::string& stream, stream_head head) {
  const std::lock_guard lock(heads_mutex_);
  if (known_heads_.size() >= max_known_heads && !known_heads_.contains(stream))
    known_heads_.clear();
  known_heads_[stream] = std::move(head);
}

void repo_state::forget_head_version(const std::string& stream) {
  const std::lock_guard lock(heads_mutex_);
  known_heads_.erase(stream);
}

asio::awaitable<std::optional<event>> repo_state::event_by_id(std::string id) {
  ddb::query_request request;
  request.table_name = table;
  request.key_condition_expression = "#id = :id";
  request.names = {{"#id", "id"}};
  request.values = {{":id", ddb::attribute_value::string(event_key(id))}};
  request.consistent_read = true;
  request.limit = 1;
  ddb::query_result result = co_await ddb.query(request);
  if (result.items.empty()) co_return std::nullopt;
  decoded_item decoded = event_from_item(result.items.front());
  co_return co_await complete(std::move(decoded));
}

asio::awaitable<std::vector<event>> repo_state::hydrate(const std::vector<ddb::item>& entries,
                                                        payload_read_limit* limit) {
  std::vector<decoded_item> decoded = co_await hydrate_items(entries, limit);
  std::vector<event> events;
  events.reserve(decoded.size());
  for (decoded_item& item : decoded) events.push_back(std::move(item.value));
  co_return events;
}

asio::awaitable<std::vector<decoded_item>> repo_state::hydrate_items(
    const std::vector<ddb::item>& entries, payload_read_limit* limit) {
  std::vector<decoded_item> decoded;
  decoded.reserve(entries.size());
  for (std::size_t start = 0; start < entries.size();
       start += ddb::batch_get_item_request::max_keys) {
    const std::size_t end = std::min(entries.size(), start + ddb::batch_get_item_request::max_keys);
    std::vector<ddb::item> keys;
    keys.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) keys.push_back(primary_key(entries[i]));
    std::vector<std::optional<decoded_item>> items = co_await batch_get(keys);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i]) {
        log(log_level::warning, "index entry " + keys[i].at("id").as_string() + " / " +
                                    keys[i].at("created").as_string() + " has no item in table '" +
                                    table + "' (deleted since it was indexed): skipped");
        continue;
      }
      decoded.push_back(std::move(*items[i]));
    }
  }
  if (limit) {
    co_await fetch_payloads(decoded, *limit);
  } else {
    payload_read_limit own_limit{executor, concurrent_payload_fetches};
    co_await fetch_payloads(decoded, own_limit);
  }
  co_return decoded;
}

asio::awaitable<void> repo_state::ensure_table() {
  bool exists = true;
  try {
    // A named request: GCC 12 destroys temporaries of a co_await expression twice.
    const ddb::describe_table_request request{.table_name = table};
    co_await ddb.describe_table(request);
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::resource_not_found) throw;
    exists = false;
  }
  if (!exists) {
    try {
      const ddb::create_table_request request = table_definition(table, options);
      co_await ddb.create_table(request);
      log(log_level::info, "created table '" + table + "'");
    } catch (const ddb::service_error& error) {
      // Another process created it (or is creating it) at the same moment.
      if (error.code() != ddb::errc::resource_in_use) throw;
    }
  }
  co_await ddb.wait_until_active(table);
}

}  // namespace evstore
