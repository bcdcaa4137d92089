#pragma once
// Snapshots <-> DynamoDB items. One item per stream: id `EventID#SNAPSHOT::<domain>::<identifier>`,
// created `SNAPSHOT`; it has neither `timeBucket` nor `stream`, so no index (and no replay of
// evstore or the TypeScript adapter) sees it. It holds `domain`, `identifier`, `sequence` (N),
// `savedAt` (ISO time) and either `state` (the JSON text) or `s3Reference` (`<bucket>::<key>`)
// when the state was offloaded to S3.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/repo.hpp"
#include "store/item_codec.hpp"

namespace evstore {

inline constexpr std::string_view snapshot_created_value = "SNAPSHOT";

/// The primary key of a stream's snapshot item.
dynamodb::item snapshot_item_key(std::string_view domain, std::string_view identifier);

/// Throws system_error(store_errc::invalid_event) naming what is wrong: an empty domain, a domain
/// holding "::" or ending in ':', a key over DynamoDB's 2048 bytes, state larger than
/// max_offloaded_object_bytes or not one JSON value, or no `created` time.
void validate_snapshot(const snapshot& value);

/// The item of a validated snapshot; with `offloaded`, `state` is left out for `s3Reference`.
dynamodb::item to_snapshot_item(const snapshot& value,
                                const std::optional<s3_location>& offloaded = {});

struct decoded_snapshot {
  snapshot value;
  /// Set when the state is in S3: `value.state_json` is then "null" until fetched.
  std::optional<s3_location> offloaded;
};
/// Reads a snapshot item. Throws system_error(store_errc::corrupt_item) naming the attribute.
decoded_snapshot snapshot_from_item(const dynamodb::item& item);

/// The S3 key of an offloaded snapshot state: `<prefix>snapshots/<domain>/<identifier>/
/// <sequence>-<unique>.json`, domain and identifier percent-encoded (so '/' or ".." in them
/// cannot reach another stream's objects), unique per save so that a save that loses the race
/// never overwrites the state a stored snapshot points at.
std::string snapshot_object_key(std::string_view prefix, const snapshot& value,
                                std::string_view unique);

/// The key prefix every offloaded state of one stream has: `<prefix>snapshots/<domain>/
/// <identifier>/`, encoded as in snapshot_object_key.
std::string snapshot_objects_prefix(std::string_view prefix, std::string_view domain,
                                    std::string_view identifier);

/// The sequence in a key made by snapshot_object_key with a UUID as `unique`, under
/// `stream_prefix` (from snapshot_objects_prefix); nullopt for a key of another shape.
std::optional<std::uint64_t> snapshot_object_sequence(std::string_view stream_prefix,
                                                      std::string_view key);

}  // namespace evstore
