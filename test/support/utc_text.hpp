#pragma once
// Time points as the UTC text servers send (Date headers, credential expirations).

#include <chrono>
#include <ctime>
#include <string>

namespace evstore::test {

/// `t` in UTC through std::strftime's `format`; the result must fit in 63 characters.
inline std::string format_utc(std::chrono::system_clock::time_point t, const char* format) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  const std::size_t length = std::strftime(text, sizeof text, format, &tm);
  return std::string(text, length);
}

}  // namespace evstore::test
