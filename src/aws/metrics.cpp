#include "evstore/aws/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace evstore::aws {

namespace {

// Slots of service_metrics::errors_, in error_counts' order.
enum error_slot : std::size_t { throttling, server, client, clock_skew, timeout, transport };

error_slot slot_of(const attempt_outcome& outcome, retry_class what) noexcept {
  if (outcome.transport_error && !outcome.timed_out) return transport;
  switch (what) {
    case retry_class::throttling:
      return throttling;
    case retry_class::not_retryable:
      return client;
    case retry_class::clock_skew:
      return clock_skew;
    case retry_class::timeout:
      return timeout;
    case retry_class::transient:
    case retry_class::success:
      break;
  }
  return server;
}

constexpr double milliunits_per_unit = 1000.0;

}  // namespace

std::size_t latency_bucket_of(std::chrono::nanoseconds latency) noexcept {
  const auto bound = std::lower_bound(
      latency_bucket_bounds.begin(), latency_bucket_bounds.end(), latency,
      [](std::chrono::milliseconds b, std::chrono::nanoseconds l) { return b < l; });
  return static_cast<std::size_t>(bound - latency_bucket_bounds.begin());
}

std::uint64_t latency_histogram::total() const noexcept {
  std::uint64_t sum = 0;
  for (const std::uint64_t c : counts) sum += c;
  return sum;
}

std::optional<std::chrono::milliseconds> latency_histogram::quantile_bound(
    double q) const noexcept {
  const std::uint64_t all = total();
  if (all == 0 || !(q > 0.0) || q > 1.0) return std::nullopt;
  // The request of rank ceil(q * all) in latency order lies in the first bucket reaching it.
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(all)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < latency_bucket_bounds.size(); ++i) {
    seen += counts[i];
    if (seen >= rank) return latency_bucket_bounds[i];
  }
  return std::nullopt;
}

void service_metrics::record_attempt(const attempt_outcome& outcome, retry_class what) noexcept {
  attempts_.fetch_add(1, std::memory_order_relaxed);
  if (what != retry_class::success)
    errors_[slot_of(outcome, what)].fetch_add(1, std::memory_order_relaxed);
}

void service_metrics::record_retry() noexcept {
  retries_.fetch_add(1, std::memory_order_relaxed);
}

void service_metrics::record_request(std::chrono::nanoseconds latency, bool failed) noexcept {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (failed) failed_requests_.fetch_add(1, std::memory_order_relaxed);
  latency_counts_[latency_bucket_of(latency)].fetch_add(1, std::memory_order_relaxed);
}

void service_metrics::add_consumed_capacity(double units) noexcept {
  if (!(units > 0.0)) return;  // also drops NaN
  consumed_capacity_milliunits_.fetch_add(
      static_cast<std::uint64_t>(std::llround(units * milliunits_per_unit)),
      std::memory_order_relaxed);
}

void service_metrics::record_rate_limit_wait(std::chrono::nanoseconds waited) noexcept {
  rate_limit_waits_.fetch_add(1, std::memory_order_relaxed);
  rate_limit_wait_ns_.fetch_add(waited.count(), std::memory_order_relaxed);
}

void service_metrics::set_send_rate_limit(double attempts_per_second) noexcept {
  send_rate_limit_.store(attempts_per_second, std::memory_order_relaxed);
}

service_metrics_snapshot service_metrics::snapshot() const noexcept {
  service_metrics_snapshot s;
  s.requests = requests_.load(std::memory_order_relaxed);
  s.attempts = attempts_.load(std::memory_order_relaxed);
  s.retries = retries_.load(std::memory_order_relaxed);
  s.failed_requests = failed_requests_.load(std::memory_order_relaxed);
  s.errors.throttling = errors_[throttling].load(std::memory_order_relaxed);
  s.errors.server = errors_[server].load(std::memory_order_relaxed);
  s.errors.client = errors_[client].load(std::memory_order_relaxed);
  s.errors.clock_skew = errors_[clock_skew].load(std::memory_order_relaxed);
  s.errors.timeout = errors_[timeout].load(std::memory_order_relaxed);
  s.errors.transport = errors_[transport].load(std::memory_order_relaxed);
  s.consumed_capacity_units =
      static_cast<double>(consumed_capacity_milliunits_.load(std::memory_order_relaxed)) /
      milliunits_per_unit;
  for (std::size_t i = 0; i < s.latency.counts.size(); ++i)
    s.latency.counts[i] = latency_counts_[i].load(std::memory_order_relaxed);
  s.rate_limit_waits = rate_limit_waits_.load(std::memory_order_relaxed);
  s.rate_limit_wait_time =
      std::chrono::nanoseconds{rate_limit_wait_ns_.load(std::memory_order_relaxed)};
  s.send_rate_limit = send_rate_limit_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace evstore::aws
