#include "evstore/store/time.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include <boost/system/system_error.hpp>

#include "aws/timestamp.hpp"
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
  std::string why;
  const std::optional<aws::iso8601_time> time = aws::read_iso8601(text, why);
  if (!time) fail(text, why);
  const timestamp utc = time->seconds + chr::floor<chr::milliseconds>(time->fraction);
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
