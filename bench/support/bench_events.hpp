#pragma once
// The benchmarks' events: stream s of S is ("bench", "stream-<s>"), its k-th event has a JSON
// payload of a fixed size. node/bench/events.js builds the same events for the adapter.

#include <chrono>
#include <cstddef>
#include <string>

#include "evstore/store/event.hpp"

namespace evstore::bench {

/// {"n":k,"stream":s,"text":"..."} padded with letters to `bytes` (at least its fixed part).
inline std::string payload_json(std::size_t stream, std::size_t k, std::size_t bytes) {
  std::string text =
      R"({"n":)" + std::to_string(k) + R"(,"stream":)" + std::to_string(stream) + R"(,"text":")";
  const std::size_t fixed = text.size() + 2;
  for (std::size_t i = 0; fixed + i < bytes; ++i)
    text += static_cast<char>('a' + (i * 7 + k + stream) % 26);
  text += "\"}";
  return text;
}

inline event bench_event(std::size_t stream, std::size_t k, std::size_t payload_bytes) {
  event e;
  e.domain = "bench";
  e.identifier = "stream-" + std::to_string(stream);
  e.type = "step";
  e.payload_json = payload_json(stream, k, payload_bytes);
  return e;
}

/// Times for `count` events spread evenly over the `months` whole months that end with the
/// current one: event g (of stream g % streams) gets first + g * span / count, so each stream's
/// events are in order.
class spread_times {
 public:
  spread_times(std::size_t count, int months) : count_(count) {
    using namespace std::chrono;
    const auto now = floor<milliseconds>(system_clock::now());
    const year_month_day today{floor<days>(now)};
    const year_month first_month = today.year() / today.month() - std::chrono::months{months - 1};
    first_ = sys_days{first_month / 1};
    span_ = now - std::chrono::minutes{1} - first_;
  }

  timestamp at(std::size_t g) const {
    return first_ + span_ * static_cast<long long>(g) / static_cast<long long>(count_);
  }

 private:
  std::size_t count_;
  timestamp first_{};
  std::chrono::milliseconds span_{};
};

}  // namespace evstore::bench
