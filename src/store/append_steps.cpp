// The steps repo::append and repo::append_atomic share (append_steps.hpp).

#include "append_steps.hpp"

#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "store/item_size.hpp"
#include "store/payload_object.hpp"

namespace evstore {

namespace asio = boost::asio;
namespace ddb = dynamodb;

namespace {

/// Bytes a sequence number can add to an item beyond the 0 measured before sequences are known.
constexpr std::size_t sequence_size_margin = 11;
/// Caller-chosen ids looked up at once before an append.
constexpr std::size_t concurrent_id_lookups = 16;

[[noreturn]] void reject(const event& e, std::size_t position, const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "event " + std::to_string(position + 1) + " (id '" + e.id +
                                        "') " + what + "; nothing was written");
}

}  // namespace

std::vector<std::size_t> check_sizes(const repo_state& state, const std::vector<event>& events) {
  std::vector<std::size_t> sizes(events.size());
  for (std::size_t p = 0; p < events.size(); ++p) {
    const event& e = events[p];
    const std::size_t full = event_item_size(e) + sequence_size_margin;
    sizes[p] = full;
    if (full <= state.options.offload_threshold_bytes) continue;
    if (state.options.s3_bucket_name.empty())
      reject(e, p,
             "makes an item of " + std::to_string(full) +
                 " bytes, over the offload threshold, but no S3 bucket is "
                 "configured: set s3_bucket_name");
    const std::size_t offloaded =
        event_item_size(e, s3_location{state.options.s3_bucket_name,
                                       payload_object_key(state.options.s3_key_prefix, e.id, {})}) +
        sequence_size_margin;
    if (offloaded > max_item_bytes)
      reject(e, p,
             "makes an item of " + std::to_string(offloaded) +
                 " bytes even without its payload, over DynamoDB's 409,600: shrink its meta");
    sizes[p] = offloaded;
  }
  return sizes;
}

asio::awaitable<std::vector<std::optional<event>>> find_stored(
    std::shared_ptr<repo_state> state, const std::vector<event>& events,
    const std::vector<std::size_t>& lookups, const std::vector<bool>& caller_times) {
  std::vector<std::optional<event>> stored(events.size());
  std::vector<std::optional<event>> found = co_await read_concurrently<std::optional<event>>(
      state->executor, lookups.size(), concurrent_id_lookups,
      [&](std::size_t k) { return state->event_by_id(events[lookups[k]].id); });
  for (std::size_t k = 0; k < lookups.size(); ++k) {
    const std::size_t p = lookups[k];
    std::optional<event>& match = found[k];
    if (!match) continue;
    if (!same_event_content(*match, events[p], caller_times[p]))
      throw duplicate_event_error(events[p].id);
    stored[p] = std::move(match);
  }
  co_return stored;
}

asio::awaitable<stream_head> read_head(repo_state& state, const std::string& domain,
                                       const std::string& identifier) {
  const ddb::get_item_request request{
      .table_name = state.table, .key = head_item_key(domain, identifier), .consistent_read = true};
  const ddb::get_item_result head = co_await state.ddb.get_item(request);
  co_return stream_head{head_version(head.item), head_last_created(head.item)};
}

asio::awaitable<bool> chunk_applied(repo_state& state, const ddb::item& first_item) {
  ddb::get_item_request request;
  request.table_name = state.table;
  request.key.emplace("id", first_item.at("id"));
  request.key.emplace("created", first_item.at("created"));
  request.consistent_read = true;
  const ddb::get_item_result stored = co_await state.ddb.get_item(request);
  co_return stored.item&& same_stored_item(*stored.item, first_item);
}

asio::awaitable<void> build_items(repo_state& state, const stream_events& stream,
                                  const std::vector<event>& events, std::vector<ddb::item>& items,
                                  std::vector<std::size_t>& sizes) {
  // Read after cover_months, which learns the table's count from its metadata item.
  const unsigned shards = state.time_bucket_shards();
  for (const std::size_t p : stream.positions) {
    const event& e = events[p];
    items[p] = to_item(e, std::nullopt, shards);
    sizes[p] = item_size(items[p]);
    if (sizes[p] <= state.options.offload_threshold_bytes) continue;
    std::string object = to_json_line(e);
    s3_location where{state.options.s3_bucket_name,
                      payload_object_key(state.options.s3_key_prefix, e.id, object)};
    s3::put_options put;
    put.content_type = "application/json";
    put.acl = state.options.s3_acl;
    co_await state.s3.put_object(where.bucket, where.key, std::move(object), put);
    state.log(log_level::debug, "offloaded the payload of event '" + e.id + "' (" +
                                    std::to_string(sizes[p]) + " bytes) to s3://" + where.bucket +
                                    "/" + where.key);
    items[p] = to_item(e, where, shards);
    sizes[p] = item_size(items[p]);
  }
}

bool leaves_outcome_open(const ddb::service_error& error) noexcept {
  return error.http_status() >= 500 || error.code() == ddb::errc::throughput_exceeded ||
         error.code() == ddb::errc::transaction_in_progress ||
         error.code() == ddb::errc::limit_exceeded;
}

std::string message_of(const boost::system::system_error& error) {
  std::string what = error.what();
  const std::size_t code_text = what.rfind(": " + error.code().message());
  if (code_text != std::string::npos && code_text > 0) what.resize(code_text);
  return what;
}

ddb::transact_write_items_request build_transaction(const repo_state& state,
                                                    const transaction_chunk& chunk,
                                                    std::vector<ddb::item> items) {
  ddb::transact_write_items_request request;
  ddb::transact_update head;
  head.table_name = state.table;
  head.key = head_item_key(chunk.domain, chunk.identifier);
  head.update_expression = "SET #version = :newVersion, #lastCreated = :lastCreated";
  // ISO-8601 texts of one form compare as their times.
  head.condition_expression =
      std::string(chunk.expected_version == 0
                      ? "(attribute_not_exists(#version) OR #version = :expected)"
                      : "#version = :expected") +
      " AND (attribute_not_exists(#lastCreated) OR #lastCreated <= :firstCreated)";
  head.names = {{"#version", "version"},
                {"#lastCreated", std::string(head_last_created_attribute)}};
  head.values = {{":newVersion", ddb::attribute_value::number(chunk.new_version)},
                 {":expected", ddb::attribute_value::number(chunk.expected_version)},
                 {":firstCreated", items.front().at("created")},
                 {":lastCreated", items.back().at("created")}};
  head.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  request.items.emplace_back(std::move(head));
  for (ddb::item& item : items) {
    ddb::transact_put put;
    put.table_name = state.table;
    put.item = std::move(item);
    put.condition_expression = "attribute_not_exists(#id)";
    put.names = {{"#id", "id"}};
    request.items.emplace_back(std::move(put));
  }
  return request;
}

}  // namespace evstore
