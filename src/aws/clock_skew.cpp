#include "aws/clock_skew.hpp"

#include "aws/timestamp.hpp"

namespace evstore::aws {

std::optional<std::chrono::system_clock::duration> server_clock_offset(
    const http::response& res, std::chrono::system_clock::time_point local_now) {
  const auto server_time = parse_http_date(res.header("Date"));
  if (!server_time) return std::nullopt;
  return *server_time - local_now;
}

}  // namespace evstore::aws
