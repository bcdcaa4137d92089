#include "evstore/aws/timestamp.hpp"

#include <array>
#include <cstdint>

namespace evstore::aws {

namespace {

using std::chrono::system_clock;

// Reads exactly `width` decimal digits at `pos`, advancing it.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos > text.size() || text.size() - pos < width) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

struct time_of_day {
  int hour;
  int minute;
  int second;
};

// Reads "HH:MM:SS" at `pos`, advancing it; both formats write the time of day this way.
std::optional<time_of_day> read_time_of_day(std::string_view text, std::size_t& pos) {
  const auto hour = read_digits(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) return std::nullopt;
  const auto minute = read_digits(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) return std::nullopt;
  const auto second = read_digits(text, pos, 2);
  if (!second) return std::nullopt;
  return time_of_day{*hour, *minute, *second};
}

std::optional<system_clock::time_point> make_time(int year, int month, int day, int hour,
                                                  int minute, int second) {
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  // Second 60 is a leap second; the clock folds it into the next minute.
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return std::chrono::sys_days{date} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

}  // namespace

std::optional<system_clock::time_point> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": fixed width, 29 characters.
  constexpr std::array<std::string_view, 7> weekdays{"Mon", "Tue", "Wed", "Thu",
                                                     "Fri", "Sat", "Sun"};
  constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (text.size() != 29 || text.substr(3, 2) != ", " || text.substr(25) != " GMT")
    return std::nullopt;
  bool weekday_known = false;
  for (std::string_view w : weekdays) weekday_known = weekday_known || text.substr(0, 3) == w;
  if (!weekday_known) return std::nullopt;
  std::size_t pos = 5;
  const auto day = read_digits(text, pos, 2);
  if (!day || !expect(text, pos, ' ')) return std::nullopt;
  int month = 0;
  for (std::size_t i = 0; i < months.size(); ++i)
    if (text.substr(pos, 3) == months[i]) month = static_cast<int>(i) + 1;
  if (month == 0) return std::nullopt;
  pos += 3;
  if (!expect(text, pos, ' ')) return std::nullopt;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, ' ')) return std::nullopt;
  const auto clock = read_time_of_day(text, pos);
  if (!clock) return std::nullopt;
  return make_time(*year, month, *day, clock->hour, clock->minute, clock->second);
}

std::optional<system_clock::time_point> parse_iso8601(std::string_view text) {
  std::size_t pos = 0;
  const auto year = read_digits(text, pos, 4);
  if (!year || !expect(text, pos, '-')) return std::nullopt;
  const auto month = read_digits(text, pos, 2);
  if (!month || !expect(text, pos, '-')) return std::nullopt;
  const auto day = read_digits(text, pos, 2);
  if (!day || !expect(text, pos, 'T')) return std::nullopt;
  const auto clock = read_time_of_day(text, pos);
  if (!clock) return std::nullopt;
  auto time = make_time(*year, *month, *day, clock->hour, clock->minute, clock->second);
  if (!time) return std::nullopt;

  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::int64_t nanos = 0;
    std::size_t digits = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++digits)
      if (digits < 9) nanos = nanos * 10 + (text[pos] - '0');
    if (digits == 0) return std::nullopt;
    for (std::size_t d = digits; d < 9; ++d) nanos *= 10;
    *time += std::chrono::duration_cast<system_clock::duration>(std::chrono::nanoseconds{nanos});
  }

  if (pos < text.size() && text[pos] == 'Z') return pos + 1 == text.size() ? time : std::nullopt;
  if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const bool ahead = text[pos] == '+';
    ++pos;
    const auto offset_hours = read_digits(text, pos, 2);
    if (!offset_hours || !expect(text, pos, ':')) return std::nullopt;
    const auto offset_minutes = read_digits(text, pos, 2);
    if (!offset_minutes || pos != text.size() || *offset_hours > 23 || *offset_minutes > 59)
      return std::nullopt;
    const auto offset = std::chrono::hours{*offset_hours} + std::chrono::minutes{*offset_minutes};
    return ahead ? *time - offset : *time + offset;
  }
  return std::nullopt;
}

}  // namespace evstore::aws
