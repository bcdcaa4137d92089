#pragma once
// What append accepts: checked before anything is written, so a bad event in a batch writes
// nothing and the error names it.

#include <cstddef>
#include <vector>

#include "evstore/store/event.hpp"

namespace evstore {

/// DynamoDB's limit on a partition key value, in bytes.
inline constexpr std::size_t max_partition_key_bytes = 2048;

/// The largest S3 object an offloaded payload or snapshot state may have: reads load it whole
/// into memory and refuse larger ones, so writes refuse them too.
inline constexpr std::size_t max_offloaded_object_bytes = 256 * 1024 * 1024;

/// The size of the S3 object an event with its created time is offloaded as (its
/// to_json_line), counting the largest sequence it can be given (20 digits).
std::size_t offloaded_object_size(const event& e);

/// Fills a missing id (a UUID) and a missing created time, then validates every event. The
/// events lacking a time get `now`, `now` + 1 ms, ... in order. repo::append gives its untimed
/// events one shared time before calling this (so none is left to fill), and replay orders
/// events of one millisecond by stream and sequence. Throws
/// system_error(store_errc::invalid_event) naming the event's position, id and what is wrong:
/// empty domain or type; a domain containing "::" or ending with ':' (the stream key
/// `domain::identifier` would be ambiguous); an id with control characters, starting with
/// "HEAD::", "SNAPSHOT::" or "META::" (the namespaces of stream heads, snapshots and the
/// metadata item) or making a key over 2048 bytes; text that is not
/// UTF-8; an empty causation id; a payload that is not JSON; meta that is not a JSON object; a
/// created time outside the years 0000-9999; an id given twice; an event whose offloaded object
/// would pass max_offloaded_object_bytes.
/// Returns the last time given (`now` - 1 ms when none was).
timestamp prepare_events(std::vector<event>& events, timestamp now);

/// Validates one event as prepare_events does (id and created must be set). `position` names
/// it in errors.
void validate_event(const event& e, std::size_t position);

}  // namespace evstore
