#pragma once
// An event as one JSON object in the reference adapter's shape: `id`, `domain`, `type`,
// `identifier`, `payload`, `meta`, `correlationId`, `causationId`, `created` (ISO-8601 UTC with
// milliseconds), `sequence`. The store writes it to S3 for an offloaded payload; the command-line
// tool reads and writes it as JSON Lines.

#include <string>
#include <string_view>

#include "evstore/store/event.hpp"

namespace evstore {

/// One line of JSON, without the newline. Absent fields are omitted (`sequence` when 0, so an
/// event not yet appended has none); payload and meta are written as the JSON text they hold
/// (reformatted only if that text spans several lines). Throws system_error(invalid_event) when
/// `created` cannot be written as ISO-8601.
std::string to_json_line(const event& e);

/// Reads an event from a JSON object. `domain`, `type` and `payload` are required; the others
/// may be absent or null; unknown members are ignored. Payload and meta keep their exact text.
/// Throws system_error(store_errc::invalid_event) naming the member at fault. This checks the
/// shape only: validate_event checks what append requires.
event event_from_json(std::string_view json_text);

}  // namespace evstore
