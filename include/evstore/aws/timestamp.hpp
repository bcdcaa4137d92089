#pragma once
// Parsing the timestamps AWS sends: HTTP Date headers (RFC 1123) and ISO 8601 expirations.
// Pure functions; nullopt for anything malformed, never an exception.

#include <chrono>
#include <optional>
#include <string_view>

namespace evstore::aws {

/// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 1123, the only form HTTP/1.1 servers may send).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// "2017-05-17T15:09:54Z", with optional fractional seconds and a "Z" or "+hh:mm"/"-hh:mm"
/// offset.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace evstore::aws
