// repo::save_snapshot / get_snapshot: one conditional item per stream, the state offloaded to S3
// when the item would pass the offload threshold.

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/uuid.hpp"
#include "evstore/store/validation.hpp"
#include "json_text.hpp"
#include "repo_operations.hpp"
#include "repo_state.hpp"
#include "store/item_size.hpp"
#include "store/snapshot_item.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Removes an object no stored snapshot points at; a failure only leaves an orphan, so it is
/// logged rather than thrown.
asio::awaitable<void> drop_object(repo_state& state, const s3_location& where) {
  try {
    co_await state.s3.delete_object(where.bucket, where.key);
  } catch (const boost::system::system_error& error) {
    state.log(log_level::warning, "could not delete the unused snapshot state s3://" +
                                      where.bucket + "/" + where.key + ": " + error.what());
  }
}

std::optional<s3_location> offloaded_location(const std::optional<ddb::item>& old_item) {
  if (!old_item) return std::nullopt;
  try {
    return snapshot_from_item(*old_item).offloaded;
  } catch (const boost::system::system_error&) {
    return std::nullopt;
  }
}

/// Removes the stream's offloaded states older than `value`: no item can point at them (the
/// stream's one snapshot item only moves to higher sequences). For a save whose first attempt
/// was applied but answered too late: the item it replaced, and so that item's object, was in
/// the lost answer. A failure only leaves orphans, so it is logged rather than thrown.
asio::awaitable<void> drop_older_objects(repo_state& state, const snapshot& value) {
  const std::string& bucket = state.options.s3_bucket_name;
  if (bucket.empty()) co_return;
  const std::string prefix =
      snapshot_objects_prefix(state.options.s3_key_prefix, value.domain, value.identifier);
  std::vector<s3::object_summary> objects;
  try {
    objects = co_await state.s3.list_all_objects(bucket, prefix);
  } catch (const boost::system::system_error& error) {
    state.log(log_level::warning, "could not list the snapshot states under s3://" + bucket + "/" +
                                      prefix + ": " + error.what());
    co_return;
  }
  for (const s3::object_summary& object : objects) {
    const std::optional<std::uint64_t> sequence = snapshot_object_sequence(prefix, object.key);
    if (!sequence || *sequence >= value.sequence) continue;
    const s3_location older{bucket, object.key};
    co_await drop_object(state, older);
  }
}

/// The stream's snapshot item as stored now (strongly consistent); nullopt when none.
asio::awaitable<std::optional<ddb::item>> read_snapshot_item(repo_state& state,
                                                             const std::string& domain,
                                                             const std::string& identifier) {
  const ddb::get_item_request request{.table_name = state.table,
                                      .key = snapshot_item_key(domain, identifier),
                                      .consistent_read = true};
  ddb::get_item_result result = co_await state.ddb.get_item(request);
  co_return std::move(result.item);
}

}  // namespace

// GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
// bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<bool> store_snapshot(std::shared_ptr<repo_state> state, snapshot value) {
  state->check_open("save_snapshot");
  value.created = now_ms();
  validate_snapshot(value);
  const std::string stream = stream_name(value.domain, value.identifier);

  ddb::put_item_request request;
  request.table_name = state->table;
  request.item = to_snapshot_item(value);
  std::optional<s3_location> offloaded;
  if (item_size(request.item) > state->options.offload_threshold_bytes) {
    if (state->options.s3_bucket_name.empty()) {
      throw boost::system::system_error(
          make_error_code(store_errc::invalid_event),
          "the snapshot of stream " + stream +
              " makes an item over the offload threshold but "
              "no S3 bucket is configured: set s3_bucket_name; nothing was written");
    }
    offloaded =
        s3_location{state->options.s3_bucket_name,
                    snapshot_object_key(state->options.s3_key_prefix, value, make_uuid_v4())};
    s3::put_options put;
    put.content_type = "application/json";
    put.acl = state->options.s3_acl;
    std::string body = value.state_json;
    co_await state->s3.put_object(offloaded->bucket, offloaded->key, std::move(body), put);
    request.item = to_snapshot_item(value, offloaded);
  }
  // Never replace a snapshot of the same or a newer version.
  request.condition_expression = "attribute_not_exists(#id) OR #sequence < :sequence";
  request.names = {{"#id", "id"}, {"#sequence", "sequence"}};
  request.values = {{":sequence", ddb::attribute_value::number(value.sequence)}};
  request.return_values = ddb::return_values::all_old;
  request.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  std::optional<ddb::item> replaced;
  std::optional<ddb::item> stored;
  bool condition_failed = false;
  try {
    ddb::put_item_result result = co_await state->ddb.put_item(request);
    replaced = std::move(result.attributes);
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::conditional_check_failed) throw;
    condition_failed = true;
    stored = error.old_item();
  }
  if (condition_failed) {
    if (!stored) stored = co_await read_snapshot_item(*state, value.domain, value.identifier);
    // An attempt whose answer was lost and that the client sent again fails its own
    // condition: the item it stored is this one, byte for byte (savedAt and object key
    // included), so the save succeeded.
    if (stored == request.item) {
      state->log(log_level::debug, "snapshot of " + stream + " at sequence " +
                                       std::to_string(value.sequence) +
                                       " found stored by an earlier attempt of this save");
      co_await drop_older_objects(*state, value);
      co_return true;
    }
    state->log(log_level::debug, "snapshot of " + stream + " at sequence " +
                                     std::to_string(value.sequence) +
                                     " not saved: one at the same or a newer sequence is stored");
    if (offloaded && offloaded_location(stored) != offloaded)
      co_await drop_object(*state, *offloaded);
    co_return false;
  }
  if (const std::optional<s3_location> old = offloaded_location(replaced))
    co_await drop_object(*state, *old);
  co_return true;
}
#pragma GCC diagnostic pop

asio::awaitable<std::optional<snapshot>> load_snapshot(std::shared_ptr<repo_state> state,
                                                       std::string domain, std::string identifier) {
  state->check_open("get_snapshot");
  const std::optional<ddb::item> item = co_await read_snapshot_item(*state, domain, identifier);
  if (!item) co_return std::nullopt;
  decoded_snapshot decoded = snapshot_from_item(*item);
  if (decoded.offloaded) {
    const s3_location& where = *decoded.offloaded;
    try {
      s3::object object =
          co_await state->s3.get_object(where.bucket, where.key, max_offloaded_object_bytes);
      decoded.value.state_json = std::move(object.body);
    } catch (const boost::system::system_error& error) {
      throw boost::system::system_error(
          make_error_code(store_errc::payload_unavailable),
          "the snapshot state of stream " + stream_name(domain, identifier) +
              " is offloaded to s3://" + where.bucket + "/" + where.key + " but cannot be read (" +
              error.what() + "); check that the object exists and the bucket is reachable");
    }
    if (detail::classify_json(decoded.value.state_json) == detail::json_kind::invalid) {
      throw boost::system::system_error(
          make_error_code(store_errc::corrupt_item),
          "the snapshot state of stream " + stream_name(domain, identifier) + " at s3://" +
              where.bucket + "/" + where.key + " is not valid JSON; delete the snapshot item");
    }
  }
  co_return std::move(decoded.value);
}

}  // namespace evstore
