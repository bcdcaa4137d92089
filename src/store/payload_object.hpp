#pragma once
// Where an event's offloaded payload is stored in S3.

#include <cstddef>
#include <string>
#include <string_view>

namespace evstore {

/// Hex digits of the object's SHA-256 in its key.
inline constexpr std::size_t payload_key_digest_digits = 16;

/// The S3 key of an event's offloaded object (`object`, the event's to_json_line):
/// `<prefix><id>.<first 16 hex digits of the SHA-256 of the object>.json`. Unique per content:
/// two appends racing on one id upload to two keys, so neither replaces the object the other's
/// item points at. Readers take the key from the item's `s3Reference`, never build it. The
/// key's length does not depend on `object`.
std::string payload_object_key(std::string_view prefix, std::string_view id,
                               std::string_view object);

}  // namespace evstore
