#pragma once
// Parsing the timestamps AWS sends: HTTP Date headers (RFC 1123) and ISO 8601 expirations.
// Pure functions; nullopt for anything malformed, never an exception.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace evstore::aws {

/// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 1123, the only form HTTP/1.1 servers may send).
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text);

/// An ISO 8601 date-time in UTC: whole seconds (any year 0000-9999 written with an offset) and
/// the fraction of the second, [0, 1 s).
struct iso8601_time {
  std::chrono::sys_seconds seconds;
  std::chrono::nanoseconds fraction{0};
};

/// "YYYY-MM-DDTHH:MM:SS", an optional fraction of 1 to 9 digits, then "Z" or an offset
/// "+HH:MM" / "-HH:MM"; every field range checked (the day within its month, no leap second).
/// The one ISO 8601 reader of the library (the store's event times use it too). On nullopt,
/// `why` says which part is wrong ("the month must be 01 to 12").
std::optional<iso8601_time> read_iso8601(std::string_view text, std::string& why);

/// read_iso8601 as a clock time (nanoseconds since 1970: years 1677-2262).
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace evstore::aws
