#pragma once
// The retry quota of the AWS "standard" retry mode: a token bucket shared by all requests of a
// client. Each retry takes tokens (more for a timeout); a request that succeeds gives back what
// it took, or one token when it needed no retry. When the bucket runs dry, failures are
// returned at once instead of retried, so an outage does not turn into a retry storm.

#include <atomic>
#include <optional>

namespace evstore::aws {

struct retry_quota_options {
  unsigned capacity = 500;
  unsigned retry_cost = 5;
  unsigned timeout_retry_cost = 10;
  /// Given back by a request that succeeded at the first attempt.
  unsigned no_retry_increment = 1;
};

/// Thread-safe (lock-free).
class retry_quota {
 public:
  explicit retry_quota(retry_quota_options options = {}) noexcept;

  /// Takes the cost of one retry (timeout_retry_cost when `timeout`); returns the tokens taken,
  /// or nullopt when the quota holds too few.
  std::optional<unsigned> try_acquire(bool timeout) noexcept;

  /// A request succeeded after taking `tokens_taken` tokens in all (0: no retry). Never fills
  /// the bucket beyond its capacity.
  void on_success(unsigned tokens_taken) noexcept;

  unsigned available() const noexcept { return available_.load(std::memory_order_relaxed); }
  const retry_quota_options& options() const noexcept { return options_; }

 private:
  retry_quota_options options_;
  std::atomic<unsigned> available_;
};

}  // namespace evstore::aws
