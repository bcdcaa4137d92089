#pragma once
// Events <-> DynamoDB items in the layout shared with the TypeScript adapter
// (@schemeless/event-store-adapter-dynamodb): key `id` = `EventID#<id>` + `created` (ISO text),
// `timeBucket`, `payload` as JSON text, `meta` as a native map, `sequence` as a number, and
// `s3Reference` = `<bucket>::<key>` for a payload offloaded to S3. Stream heads are the items
// `EventID#HEAD::<domain>::<identifier>` / `HEAD` holding the stream's `version`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/event.hpp"

namespace evstore {

inline constexpr std::string_view event_key_prefix = "EventID#";
inline constexpr std::string_view head_created_value = "HEAD";
/// The attribute evstore adds to event items for the stream index: `domain::identifier`.
inline constexpr std::string_view stream_attribute = "stream";

/// `EventID#<id>`.
std::string event_key(std::string_view id);
/// `domain::identifier`: how streams are named (in head keys and errors).
std::string stream_name(std::string_view domain, std::string_view identifier);
/// `EventID#HEAD::<domain>::<identifier>`.
std::string head_key(std::string_view domain, std::string_view identifier);

/// Where an offloaded payload lives.
struct s3_location {
  std::string bucket;
  std::string key;
  friend bool operator==(const s3_location&, const s3_location&) = default;
};
/// `<bucket>::<key>`.
std::string to_s3_reference(const s3_location& location);
/// Splits at the first "::" (bucket names cannot hold ':'). Throws corrupt_item.
s3_location parse_s3_reference(std::string_view reference);

/// The item of an appended event (id, created and sequence set). With `offloaded`, the payload
/// is left out and `s3Reference` names where the whole event is. Throws invalid_event when meta
/// is not a JSON object whose numbers DynamoDB can hold.
/// `time_bucket_shards` > 1 writes the sharded bucket `YYYY-MM#<shard_of(id)>`. Every item also
/// gets the `stream` attribute (stream_name of domain and identifier).
dynamodb::item to_item(const event& e, const std::optional<s3_location>& offloaded = {},
                       unsigned time_bucket_shards = 1);

/// item_size(to_item(e, offloaded, time_bucket_shards)), counted without building the item (no
/// copy of the payload): what an append checks each event against before writing anything.
std::size_t event_item_size(const event& e, const std::optional<s3_location>& offloaded = {},
                            unsigned time_bucket_shards = 1);

struct decoded_item {
  event value;
  /// The item's `created` attribute as stored (its sort key): with `value.id`, the item's key.
  /// Other writers may store other precisions than evstore's milliseconds.
  std::string created_key;
  /// Set when the payload is in S3: `value.payload_json` is then "null" until fetched.
  std::optional<s3_location> offloaded;
};
/// Reads an event item. Throws system_error(store_errc::corrupt_item) naming the item and the
/// attribute at fault.
decoded_item event_from_item(const dynamodb::item& item);

/// The primary key {id, created} of an event item.
dynamodb::item event_item_key(std::string_view id, std::string_view created_iso);
/// The primary key of a stream's head item.
dynamodb::item head_item_key(std::string_view domain, std::string_view identifier);
/// The `version` of a head item; 0 for a missing item or attribute. Throws corrupt_item.
std::uint64_t head_version(const std::optional<dynamodb::item>& head);

}  // namespace evstore
