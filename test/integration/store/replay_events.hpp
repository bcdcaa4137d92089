#pragma once
// What the replay integration tests share: events at chosen times and the order replay must
// give them.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "evstore/store/event.hpp"
#include "evstore/store/time.hpp"
#include "store_fixture.hpp"

namespace evstore::test {

/// An event with a chosen id and time.
inline event event_at(std::string id, timestamp created, std::string stream = "s",
                      std::string payload_json = "{}") {
  event e = make_event("replay", std::move(stream), "happened", std::move(payload_json));
  e.id = std::move(id);
  e.created = created;
  return e;
}

constexpr std::chrono::year_month ym(int y, unsigned m) {
  return std::chrono::year{y} / std::chrono::month{m};
}

inline std::chrono::year_month this_month() {
  return month_of(now_ms());
}

/// Midday of the first of `month`, plus `offset`.
inline timestamp in_month(std::chrono::year_month month,
                          std::chrono::milliseconds offset = std::chrono::milliseconds{0}) {
  return std::chrono::sys_days{month / 1} + std::chrono::hours{12} + offset;
}

/// `events` in time order (stably): the order an append needs when events share streams, since
/// a stream's times may not go back.
inline std::vector<event> in_time_order(std::vector<event> events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const event& a, const event& b) { return *a.created < *b.created; });
  return events;
}

inline std::vector<std::string> ids_of(const std::vector<event>& events) {
  std::vector<std::string> ids;
  for (const event& e : events) ids.push_back(e.id);
  return ids;
}

/// The ids in replay order: created ascending, ties by stream (domain, identifier), sequence and
/// id. Events not yet appended (sequence 0) are taken as one append to new streams: each one's
/// sequence is its position among its stream's events.
inline std::vector<std::string> replay_order(std::vector<event> events) {
  std::map<std::pair<std::string, std::string>, std::uint64_t> positions;
  for (event& e : events)
    if (e.sequence == 0) e.sequence = ++positions[{e.domain, e.identifier.value_or("")}];
  std::sort(events.begin(), events.end(), [](const event& a, const event& b) {
    return std::tie(*a.created, a.domain, *a.identifier, a.sequence, a.id) <
           std::tie(*b.created, b.domain, *b.identifier, b.sequence, b.id);
  });
  return ids_of(events);
}

}  // namespace evstore::test
