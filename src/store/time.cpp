#include "evstore/store/time.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"

namespace evstore {
namespace {

namespace chr = std::chrono;

[[noreturn]] void fail(std::string_view text, std::string_view what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "invalid time '" + std::string(text) +
                                        "': " + std::string(what) +
                                        "; expected ISO-8601 UTC such as 2024-05-01T12:34:56.789Z");
}

void put_digits(std::string& out, unsigned value, int width) {
  std::array<char, 8> buffer{};
  for (int i = width - 1; i >= 0; --i) {
    buffer[static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer.data(), static_cast<std::size_t>(width));
}

/// Reads exactly `width` ASCII digits at `pos`.
unsigned read_digits(std::string_view text, std::size_t pos, std::size_t width,
                     std::string_view field) {
  if (pos + width > text.size()) fail(text, std::string(field) + " is missing");
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') fail(text, std::string(field) + " must be digits");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return value;
}

void expect_char(std::string_view text, std::size_t pos, char expected) {
  if (pos >= text.size() || text[pos] != expected)
    fail(text, std::string("expected '") + expected + "' at position " + std::to_string(pos + 1));
}

}  // namespace

std::string format_iso8601(timestamp time) {
  const auto day = chr::floor<chr::days>(time);
  const chr::year_month_day date{day};
  const int year = static_cast<int>(date.year());
  if (year < 0 || year > 9999) {
    throw boost::system::system_error(
        make_error_code(store_errc::invalid_event),
        "time " + std::to_string(time.time_since_epoch().count()) +
            " ms since 1970 is outside the years 0000-9999 that ISO-8601 UTC text can hold");
  }
  const chr::hh_mm_ss clock{time - day};
  std::string out;
  out.reserve(24);
  put_digits(out, static_cast<unsigned>(year), 4);
  out += '-';
  put_digits(out, static_cast<unsigned>(date.month()), 2);
  out += '-';
  put_digits(out, static_cast<unsigned>(date.day()), 2);
  out += 'T';
  put_digits(out, static_cast<unsigned>(clock.hours().count()), 2);
  out += ':';
  put_digits(out, static_cast<unsigned>(clock.minutes().count()), 2);
  out += ':';
  put_digits(out, static_cast<unsigned>(clock.seconds().count()), 2);
  out += '.';
  put_digits(out, static_cast<unsigned>(clock.subseconds().count()), 3);
  out += 'Z';
  return out;
}

timestamp parse_iso8601(std::string_view text) {
  const unsigned year = read_digits(text, 0, 4, "the year");
  expect_char(text, 4, '-');
  const unsigned month = read_digits(text, 5, 2, "the month");
  expect_char(text, 7, '-');
  const unsigned day = read_digits(text, 8, 2, "the day");
  expect_char(text, 10, 'T');
  const unsigned hour = read_digits(text, 11, 2, "the hour");
  expect_char(text, 13, ':');
  const unsigned minute = read_digits(text, 14, 2, "the minute");
  expect_char(text, 16, ':');
  const unsigned second = read_digits(text, 17, 2, "the second");

  if (month < 1 || month > 12) fail(text, "the month must be 01 to 12");
  const chr::year_month_day date{chr::year{static_cast<int>(year)}, chr::month{month},
                                 chr::day{day}};
  if (day < 1 || !date.ok()) fail(text, "the day does not exist in that month");
  if (hour > 23) fail(text, "the hour must be 00 to 23");
  if (minute > 59) fail(text, "the minute must be 00 to 59");
  if (second > 59) fail(text, "the second must be 00 to 59");

  std::size_t pos = 19;
  unsigned millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
    const std::size_t digits = pos - start;
    if (digits == 0 || digits > 9) fail(text, "the fraction of a second must have 1 to 9 digits");
    for (std::size_t i = 0; i < 3; ++i)
      millis = millis * 10 + (i < digits ? static_cast<unsigned>(text[start + i] - '0') : 0);
  }

  chr::minutes offset{0};
  if (pos >= text.size()) fail(text, "the zone is missing (Z or +HH:MM)");
  if (text[pos] == 'Z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const bool negative = text[pos] == '-';
    const unsigned offset_hours = read_digits(text, pos + 1, 2, "the offset hours");
    expect_char(text, pos + 3, ':');
    const unsigned offset_minutes = read_digits(text, pos + 4, 2, "the offset minutes");
    if (offset_hours > 23 || offset_minutes > 59) fail(text, "the offset is out of range");
    offset = chr::hours{offset_hours} + chr::minutes{offset_minutes};
    if (negative) offset = -offset;
    pos += 6;
  } else {
    fail(text, "the zone must be Z or +HH:MM");
  }
  if (pos != text.size()) fail(text, "unexpected characters after the zone");

  const timestamp local = chr::sys_days{date} + chr::hours{hour} + chr::minutes{minute} +
                          chr::seconds{second} + chr::milliseconds{millis};
  const timestamp utc = local - offset;
  // An offset can carry 0000-01-01 or 9999-12-31 out of the years UTC text can hold: such a time
  // could be read but never written back, so it is refused here.
  const int utc_year = static_cast<int>(chr::year_month_day{chr::floor<chr::days>(utc)}.year());
  if (utc_year < 0 || utc_year > 9999) fail(text, "the time in UTC is outside the years 0000-9999");
  return utc;
}

chr::year_month month_of(timestamp time) {
  const chr::year_month_day date{chr::floor<chr::days>(time)};
  return {date.year(), date.month()};
}

std::string time_bucket(chr::year_month month) {
  const int year = static_cast<int>(month.year());
  if (year < 0 || year > 9999 || !month.ok()) {
    throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                      "month outside the years 0000-9999 has no time bucket");
  }
  std::string out;
  out.reserve(7);
  put_digits(out, static_cast<unsigned>(year), 4);
  out += '-';
  put_digits(out, static_cast<unsigned>(month.month()), 2);
  return out;
}

unsigned shard_of(std::string_view event_id, unsigned shards) {
  if (shards <= 1) return 0;
  std::uint32_t hash = 2166136261u;  // FNV-1a: stable across processes and languages
  for (unsigned char c : event_id) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash % shards;
}

std::string time_bucket(chr::year_month month, unsigned shard, unsigned shards) {
  std::string bucket = time_bucket(month);
  if (shards > 1) {
    bucket += '#';
    bucket += std::to_string(shard);
  }
  return bucket;
}

chr::year_month parse_time_bucket(std::string_view text) {
  if (text.size() != 7 || text[4] != '-') {
    throw boost::system::system_error(
        make_error_code(store_errc::invalid_event),
        "invalid time bucket '" + std::string(text) + "': expected YYYY-MM");
  }
  const unsigned year = read_digits(text, 0, 4, "the year");
  const unsigned month = read_digits(text, 5, 2, "the month");
  if (month < 1 || month > 12) fail(text, "the month must be 01 to 12");
  return {chr::year{static_cast<int>(year)}, chr::month{month}};
}

timestamp now_ms() {
  return chr::floor<chr::milliseconds>(chr::system_clock::now());
}

}  // namespace evstore
