#include "aws/timestamp.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

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

std::optional<iso8601_time> read_iso8601(std::string_view text, std::string& why) {
  const auto fail = [&why](std::string what) -> std::optional<iso8601_time> {
    why = std::move(what);
    return std::nullopt;
  };
  // Fields at fixed positions, each named for the message.
  struct field {
    std::size_t pos;
    std::size_t width;
    const char* name;
    char after;  // the separator that follows, or 0
  };
  constexpr std::array<field, 6> fields{{{0, 4, "the year", '-'},
                                         {5, 2, "the month", '-'},
                                         {8, 2, "the day", 'T'},
                                         {11, 2, "the hour", ':'},
                                         {14, 2, "the minute", ':'},
                                         {17, 2, "the second", 0}}};
  std::array<int, 6> values{};
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const field& f = fields[i];
    if (f.pos + f.width > text.size()) return fail(std::string(f.name) + " is missing");
    std::size_t pos = f.pos;
    const auto value = read_digits(text, pos, f.width);
    if (!value) return fail(std::string(f.name) + " must be digits");
    values[i] = *value;
    if (f.after != 0 && !expect(text, pos, f.after))
      return fail(std::string("expected '") + f.after + "' at position " + std::to_string(pos + 1));
  }
  const auto [year, month, day, hour, minute, second] = values;
  if (month < 1 || month > 12) return fail("the month must be 01 to 12");
  const std::chrono::year_month_day date{std::chrono::year{year},
                                         std::chrono::month{static_cast<unsigned>(month)},
                                         std::chrono::day{static_cast<unsigned>(day)}};
  if (day < 1 || !date.ok()) return fail("the day does not exist in that month");
  if (hour > 23) return fail("the hour must be 00 to 23");
  if (minute > 59) return fail("the minute must be 00 to 59");
  if (second > 59) return fail("the second must be 00 to 59");

  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos)
      if (pos - start < 9) nanos = nanos * 10 + (text[pos] - '0');
    const std::size_t digits = pos - start;
    if (digits == 0 || digits > 9) return fail("the fraction of a second must have 1 to 9 digits");
    for (std::size_t d = digits; d < 9; ++d) nanos *= 10;
  }

  std::chrono::minutes offset{0};
  if (pos >= text.size()) return fail("the zone is missing (Z or +HH:MM)");
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const bool behind = text[pos] == '-';
    ++pos;
    const auto offset_hours = read_digits(text, pos, 2);
    if (!offset_hours) return fail("the offset hours must be two digits");
    if (!expect(text, pos, ':')) return fail("expected ':' at position " + std::to_string(pos + 1));
    const auto offset_minutes = read_digits(text, pos, 2);
    if (!offset_minutes) return fail("the offset minutes must be two digits");
    if (*offset_hours > 23 || *offset_minutes > 59) return fail("the offset is out of range");
    offset = std::chrono::hours{*offset_hours} + std::chrono::minutes{*offset_minutes};
    if (behind) offset = -offset;
  } else {
    return fail("the zone must be Z or +HH:MM");
  }
  if (pos != text.size()) return fail("unexpected characters after the zone");

  const std::chrono::sys_seconds local = std::chrono::sys_days{date} + std::chrono::hours{hour} +
                                         std::chrono::minutes{minute} +
                                         std::chrono::seconds{second};
  return iso8601_time{local - offset, std::chrono::nanoseconds{nanos}};
}

std::optional<system_clock::time_point> parse_iso8601(std::string_view text) {
  std::string why;
  const std::optional<iso8601_time> time = read_iso8601(text, why);
  if (!time) return std::nullopt;
  return time->seconds + std::chrono::duration_cast<system_clock::duration>(time->fraction);
}

}  // namespace evstore::aws
