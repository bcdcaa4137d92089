#pragma once
// Clock-skew correction: AWS rejects signatures whose time is more than 5 minutes from its
// own, so the client learns the offset from the response's Date header and signs with
// local time + offset.

#include <chrono>
#include <optional>

#include "evstore/http/message.hpp"

namespace evstore::aws {

/// An auth error counts as clock skew when the server's time is this far from the client's.
inline constexpr std::chrono::minutes clock_skew_threshold{4};

/// Server time minus `local_now` from `res`'s Date header; nullopt without a valid one.
std::optional<std::chrono::system_clock::duration> server_clock_offset(
    const http::response& res, std::chrono::system_clock::time_point local_now);

/// True when `offset` (server minus client, after the client's current correction) is large
/// enough to explain an auth failure.
inline bool is_skewed(std::chrono::system_clock::duration offset) noexcept {
  return offset > clock_skew_threshold || offset < -clock_skew_threshold;
}

}  // namespace evstore::aws
