#include "evstore/aws/retry_quota.hpp"

#include <algorithm>

namespace evstore::aws {

retry_quota::retry_quota(retry_quota_options options) noexcept
    : options_(options), available_(options.capacity) {}

std::optional<unsigned> retry_quota::try_acquire(bool timeout) noexcept {
  const unsigned cost = timeout ? options_.timeout_retry_cost : options_.retry_cost;
  unsigned current = available_.load(std::memory_order_relaxed);
  do {
    if (current < cost) return std::nullopt;
  } while (!available_.compare_exchange_weak(current, current - cost, std::memory_order_relaxed));
  return cost;
}

void retry_quota::on_success(unsigned tokens_taken) noexcept {
  const unsigned refund = tokens_taken > 0 ? tokens_taken : options_.no_retry_increment;
  unsigned current = available_.load(std::memory_order_relaxed);
  while (current < options_.capacity &&
         !available_.compare_exchange_weak(current, std::min(options_.capacity, current + refund),
                                           std::memory_order_relaxed)) {
  }
}

}  // namespace evstore::aws
