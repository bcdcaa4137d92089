#include "evstore/aws/rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace evstore::aws {

namespace {

/// The send rate is counted in intervals of this many seconds.
constexpr double measure_interval = 0.5;
/// The bucket holds at least one token, so a slow rate still lets an attempt through.
constexpr double min_capacity = 1.0;

}  // namespace

rate_limiter::rate_limiter(rate_limiter_options options) noexcept : options_(options) {}

double rate_limiter::seconds(clock::time_point now) {
  // Times are kept as seconds since the first call: doubles of small magnitude.
  if (!started_) {
    started_ = true;
    origin_ = now;
  }
  return std::chrono::duration<double>(now - origin_).count();
}

void rate_limiter::refill(double now) {
  if (now > last_refill_) {
    tokens_ = std::min(max_capacity_, tokens_ + (now - last_refill_) * fill_rate_);
    last_refill_ = now;
  }
}

void rate_limiter::set_fill_rate(double now, double rate) {
  refill(now);
  fill_rate_ = std::max(rate, options_.min_fill_rate);
  max_capacity_ = std::max(rate, min_capacity);
  tokens_ = std::min(tokens_, max_capacity_);
}

void rate_limiter::measure(double now) {
  const double interval = std::floor(now / measure_interval) * measure_interval;
  ++interval_count_;
  if (interval > interval_start_) {
    const double current = interval_count_ / (interval - interval_start_);
    measured_rate_ = current * options_.smoothing + measured_rate_ * (1 - options_.smoothing);
    interval_count_ = 0;
    interval_start_ = interval;
  }
}

rate_limiter::clock::duration rate_limiter::try_acquire(clock::time_point now) {
  const std::lock_guard lock{mutex_};
  const double t = seconds(now);
  if (!enabled_) return clock::duration::zero();
  refill(t);
  if (tokens_ >= 1) {
    tokens_ -= 1;
    return clock::duration::zero();
  }
  // Rounded up, so the caller does not wake a hair before the token is whole.
  return std::chrono::ceil<clock::duration>(
      std::chrono::duration<double>((1 - tokens_) / fill_rate_));
}

void rate_limiter::on_response(clock::time_point now, bool throttled, clock::time_point sent) {
  const std::lock_guard lock{mutex_};
  const double sent_at = seconds(sent);
  const double t = seconds(now);
  measure(t);
  // Sent before the last cut: the rate it met was already cut for.
  if (throttled && cut_ && sent_at < last_throttle_) return;
  double rate = 0;
  if (throttled) {
    cut_ = true;
    last_max_rate_ = enabled_ ? std::min(measured_rate_, fill_rate_) : measured_rate_;
    last_throttle_ = t;
    rate = last_max_rate_ * options_.beta;
    if (!enabled_) {
      // The bucket starts full at its first rate, so the next attempt is not held at once.
      enabled_ = true;
      last_refill_ = t;
      tokens_ = std::max(rate, min_capacity);
    }
  } else {
    if (!enabled_) return;
    const double window =
        std::cbrt(last_max_rate_ * (1 - options_.beta) / options_.scale);  // K of the curve
    rate = options_.scale * std::pow(t - last_throttle_ - window, 3) + last_max_rate_;
  }
  set_fill_rate(t, std::min(rate, 2 * measured_rate_));
}

bool rate_limiter::enabled() const {
  const std::lock_guard lock{mutex_};
  return enabled_;
}

double rate_limiter::fill_rate() const {
  const std::lock_guard lock{mutex_};
  return enabled_ ? fill_rate_ : 0.0;
}

double rate_limiter::measured_rate() const {
  const std::lock_guard lock{mutex_};
  return measured_rate_;
}

}  // namespace evstore::aws
