#pragma once
// The virtual table bench_synthetic_dynamodb serves: N events of about `payload_bytes` of JSON
// each, event i deterministic from (seed, i), spread evenly over whole months (so that every
// event has its own millisecond) and over `streams` streams. Nothing is stored: each response
// is written from a few precomputed pieces with the event's id, time, stream and sequence
// patched in, so that serving an event costs far less than replaying it.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace evstore::bench {

class synthetic_table {
 public:
  /// Events 0..count-1 spread over `months` whole months, the last one `last_month`.
  /// `count` is below 2^32.
  synthetic_table(std::uint64_t count, std::uint64_t seed, std::chrono::year_month last_month,
                  unsigned months, std::size_t payload_bytes, std::uint64_t streams)
      : count_(count),
        seed_(seed),
        streams_(std::max<std::uint64_t>(streams, 1)),
        first_month_(last_month - std::chrono::months{std::max(months, 1u) - 1}),
        last_month_(last_month) {
    using namespace std::chrono;
    first_ms_ = sys_days{first_month_ / 1}.time_since_epoch() / milliseconds{1};
    span_ms_ =
        sys_days{(last_month + std::chrono::months{1}) / 1}.time_since_epoch() / milliseconds{1} -
        first_ms_;
    // Text of a payload, in 26 rotations: {"n":<i>,"seed":<seed>,"text":"<letters>"} reaches
    // about payload_bytes.
    const std::size_t letters = payload_bytes > 40 ? payload_bytes - 40 : 1;
    for (std::size_t r = 0; r < texts_.size(); ++r) {
      texts_[r].reserve(letters);
      for (std::size_t k = 0; k < letters; ++k) texts_[r] += static_cast<char>('a' + (k + r) % 26);
    }
  }

  std::uint64_t count() const noexcept { return count_; }
  std::chrono::year_month first_month() const noexcept { return first_month_; }
  std::chrono::year_month last_month() const noexcept { return last_month_; }

  /// Milliseconds since the epoch of event i: strictly increasing with i.
  std::int64_t created_ms(std::uint64_t i) const noexcept {
    // i * span / count without overflow: i * remainder < count^2, which fits for count < 2^32.
    const auto span = static_cast<std::uint64_t>(span_ms_);
    return first_ms_ +
           static_cast<std::int64_t>(i * (span / count_) + i * (span % count_) / count_);
  }

  /// The first event created at or after `ms` (count() when none).
  std::uint64_t first_at_or_after(std::int64_t ms) const noexcept {
    std::uint64_t low = 0;
    std::uint64_t high = count_;
    while (low < high) {
      const std::uint64_t middle = low + (high - low) / 2;
      if (created_ms(middle) < ms)
        low = middle + 1;
      else
        high = middle;
    }
    return low;
  }

  /// The event id: a UUID whose last 12 hex digits are i, the rest from (seed, i).
  void append_id(std::uint64_t i, std::string& out) const {
    const std::uint64_t h = mix(seed_ * 0x9e3779b97f4a7c15ULL ^ i);
    char text[36];
    put_hex(h >> 32, 8, text);
    text[8] = '-';
    put_hex(h >> 16, 4, text + 9);
    text[13] = '-';
    text[14] = '4';
    put_hex(h >> 4, 3, text + 15);
    text[18] = '-';
    text[19] = '8';
    put_hex(h, 3, text + 20);
    text[23] = '-';
    put_hex(i, 12, text + 24);
    out.append(text, sizeof text);
  }

  /// The index of the event whose id is `id`, or nullopt when it is not one of this table's.
  std::optional<std::uint64_t> index_of_id(std::string_view id) const {
    if (id.size() != 36) return std::nullopt;
    std::uint64_t i = 0;
    for (const char c : id.substr(24)) {
      const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      i = i * 16 + static_cast<std::uint64_t>(digit);
    }
    if (i >= count_) return std::nullopt;
    std::string expected;
    append_id(i, expected);
    if (expected != id) return std::nullopt;
    return i;
  }

  /// An index entry: {"created":..,"timeBucket":..,"id":..}.
  void append_key(std::uint64_t i, std::string& out) const {
    out += R"({"created":{"S":")";
    append_created(i, out);
    out += R"("},"timeBucket":{"S":")";
    append_bucket(i, out);
    out += R"("},"id":{"S":"EventID#)";
    append_id(i, out);
    out += R"("}})";
  }

  /// The event's item, as BatchGetItem returns it.
  void append_item(std::uint64_t i, std::string& out) const {
    const std::uint64_t stream = i % streams_;
    const std::string stream_number = std::to_string(stream);
    out += R"({"identifier":{"S":"stream-)";
    out += stream_number;
    out += R"("},"sequence":{"N":")";
    out += std::to_string(i / streams_ + 1);
    out += R"("},"payload":{"S":"{\"n\":)";
    out += std::to_string(i);
    out += R"(,\"seed\":)";
    out += std::to_string(seed_);
    out += R"(,\"text\":\")";
    out += texts_[i % texts_.size()];
    out += R"(\"}"},"stream":{"S":"bench::stream-)";
    out += stream_number;
    out += R"("},"created":{"S":")";
    append_created(i, out);
    out += R"("},"domain":{"S":"bench"},"timeBucket":{"S":")";
    append_bucket(i, out);
    out += R"("},"id":{"S":"EventID#)";
    append_id(i, out);
    out += R"("},"type":{"S":"step"}})";
  }

  /// `created` as evstore writes it: YYYY-MM-DDTHH:MM:SS.mmmZ.
  std::array<char, 24> created_text(std::uint64_t i) const {
    using namespace std::chrono;
    const std::int64_t ms = created_ms(i);
    const std::int64_t day = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
    const year_month_day date{sys_days{days{day}}};
    std::int64_t in_day = ms - day * 86'400'000;
    std::array<char, 24> array;
    char* text = array.data();
    put_decimal(static_cast<unsigned>(static_cast<int>(date.year())), 4, text);
    text[4] = '-';
    put_decimal(static_cast<unsigned>(date.month()), 2, text + 5);
    text[7] = '-';
    put_decimal(static_cast<unsigned>(date.day()), 2, text + 8);
    text[10] = 'T';
    put_decimal(static_cast<unsigned>(in_day / 3'600'000), 2, text + 11);
    in_day %= 3'600'000;
    text[13] = ':';
    put_decimal(static_cast<unsigned>(in_day / 60'000), 2, text + 14);
    in_day %= 60'000;
    text[16] = ':';
    put_decimal(static_cast<unsigned>(in_day / 1'000), 2, text + 17);
    text[19] = '.';
    put_decimal(static_cast<unsigned>(in_day % 1'000), 3, text + 20);
    text[23] = 'Z';
    return array;
  }

  void append_created(std::uint64_t i, std::string& out) const {
    const std::array<char, 24> text = created_text(i);
    out.append(text.data(), text.size());
  }

  /// The time bucket: the YYYY-MM that starts `created`.
  void append_bucket(std::uint64_t i, std::string& out) const {
    out.append(created_text(i).data(), 7);
  }

 private:
  /// The low 4 x `digits` bits of `value` as lower-case hex.
  static void put_hex(std::uint64_t value, int digits, char* out) noexcept {
    for (int d = digits - 1; d >= 0; --d, value >>= 4) out[d] = "0123456789abcdef"[value & 0xf];
  }

  static void put_decimal(unsigned value, int digits, char* out) noexcept {
    for (int d = digits - 1; d >= 0; --d, value /= 10) out[d] = static_cast<char>('0' + value % 10);
  }

  /// splitmix64's finaliser.
  static std::uint64_t mix(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  std::uint64_t count_;
  std::uint64_t seed_;
  std::uint64_t streams_;
  std::chrono::year_month first_month_;
  std::chrono::year_month last_month_;
  std::int64_t first_ms_ = 0;
  std::int64_t span_ms_ = 0;
  std::array<std::string, 26> texts_;
};

}  // namespace evstore::bench
