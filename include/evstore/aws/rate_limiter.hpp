#pragma once
// The client-side send-rate limiter of the AWS "adaptive" retry mode. Pure logic: the caller
// passes the time in, so tests drive it with a fake clock.
//
// A token bucket: each attempt takes a token before it is sent. The bucket is inert until the
// first throttling answer; from then on it refills at `fill_rate` tokens a second. The fill rate
// follows a CUBIC-like curve (as in TCP CUBIC and the AWS SDKs):
//   - on throttling: the rate that was being sent (min of the measured send rate and the fill
//     rate) becomes `last_max_rate`; the fill rate is cut to last_max_rate * beta (0.7). As in
//     TCP, one cut per congestion event: a throttle of an attempt sent before the last cut
//     met the rate already cut for, and cuts no further (concurrent attempts throttled together
//     would otherwise cut the rate to 0.7^n of it);
//   - on success: fill rate = scale * (t - last_throttle - K)^3 + last_max_rate, where
//     K = cbrt(last_max_rate * (1 - beta) / scale): back at last_max_rate after K seconds,
//     slowly near it, then faster above it, probing for more;
//   - never above twice the measured send rate (so an idle client does not build up an
//     unbounded rate), never below min_fill_rate.
// The measured send rate is a smoothed count of attempts per half-second interval.
//
//   while (auto wait = limiter.try_acquire(now())) sleep(wait);   // before sending
//   ... send ...
//   limiter.on_response(now(), throttled, sent);                   // after its answer

#include <chrono>
#include <mutex>

namespace evstore::aws {

struct rate_limiter_options {
  /// The fill rate (attempts a second) is never cut below this.
  double min_fill_rate = 0.5;
  /// Share of the rate kept on a throttle.
  double beta = 0.7;
  /// The CUBIC curve's steepness (attempts a second per second cubed).
  double scale = 0.4;
  /// Weight of the newest interval in the smoothed send rate.
  double smoothing = 0.8;
};

/// Thread-safe (a mutex around a few arithmetic operations).
class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  explicit rate_limiter(rate_limiter_options options = {}) noexcept;

  /// Takes a token for one attempt to be sent at `now` and returns zero (always while inert),
  /// or takes none and returns how long until one is there: wait that long, then try again
  /// (the rate may have changed meanwhile, and other callers may have taken it).
  clock::duration try_acquire(clock::time_point now);

  /// The answer to an attempt sent at `sent` arrived at `now`; `throttled` when it was a
  /// throttling error.
  void on_response(clock::time_point now, bool throttled, clock::time_point sent);

  /// True once a throttle was seen: attempts are then paced.
  bool enabled() const;
  /// The current fill rate in attempts a second (0 while inert).
  double fill_rate() const;
  /// The smoothed measured send rate in attempts a second.
  double measured_rate() const;

 private:
  void refill(double now);
  void set_fill_rate(double now, double rate);
  void measure(double now);
  double seconds(clock::time_point now);

  rate_limiter_options options_;
  mutable std::mutex mutex_;
  bool enabled_ = false;
  bool started_ = false;
  clock::time_point origin_{};
  double fill_rate_ = 0;
  double max_capacity_ = 0;
  double tokens_ = 0;
  double last_refill_ = 0;
  double measured_rate_ = 0;
  double interval_start_ = 0;
  unsigned interval_count_ = 0;
  double last_max_rate_ = 0;
  double last_throttle_ = 0;
  bool cut_ = false;  ///< the fill rate was cut at least once (last_throttle_ is set)
};

}  // namespace evstore::aws
