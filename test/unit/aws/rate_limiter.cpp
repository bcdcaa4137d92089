// The adaptive retry mode's send-rate limiter, driven by a fake clock.

#include "evstore/aws/rate_limiter.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>

BOOST_AUTO_TEST_SUITE(rate_limiter)

namespace aws = evstore::aws;
using namespace std::chrono_literals;
using clock_type = aws::rate_limiter::clock;

namespace {

struct fake_clock {
  clock_type::time_point now{};  // the epoch of steady_clock: any origin will do
  void advance(clock_type::duration d) { now += d; }
};

/// Sends (and answers with success) `rate` attempts a second for `seconds`, each waiting for its
/// token; returns the attempts sent.
unsigned send_at(aws::rate_limiter& limiter, fake_clock& clock, double rate, double seconds) {
  const auto gap =
      std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(1.0 / rate));
  const clock_type::time_point end = clock.now + std::chrono::duration_cast<clock_type::duration>(
                                                     std::chrono::duration<double>(seconds));
  unsigned sent = 0;
  while (clock.now < end) {
    for (int tries = 0; tries < 1000; ++tries) {
      const clock_type::duration wait = limiter.try_acquire(clock.now);
      if (wait == clock_type::duration::zero()) break;
      clock.advance(wait);
    }
    limiter.on_response(clock.now, false, clock.now);
    ++sent;
    clock.advance(gap);
  }
  return sent;
}

}  // namespace

BOOST_AUTO_TEST_CASE(inert_until_the_first_throttle) {
  aws::rate_limiter limiter;
  fake_clock clock;
  for (int i = 0; i < 1000; ++i) {
    BOOST_TEST(limiter.try_acquire(clock.now).count() == 0);
    limiter.on_response(clock.now, false, clock.now);
  }
  BOOST_TEST(!limiter.enabled());
  BOOST_TEST(limiter.fill_rate() == 0.0);
}

BOOST_AUTO_TEST_CASE(a_throttle_cuts_the_rate_to_seven_tenths_of_the_measured_send_rate) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 100, 5);  // 100 attempts a second: the measured rate converges there
  BOOST_TEST(limiter.measured_rate() == 100.0, boost::test_tools::tolerance(0.05));
  limiter.on_response(clock.now, true, clock.now);
  BOOST_TEST(limiter.enabled());
  BOOST_TEST(limiter.fill_rate() == 70.0, boost::test_tools::tolerance(0.05));
  // A second throttle right away cuts from the lower of the measured and the fill rate.
  limiter.on_response(clock.now, true, clock.now);
  BOOST_TEST(limiter.fill_rate() == 49.0, boost::test_tools::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(paces_attempts_at_the_fill_rate) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 20, 5);
  limiter.on_response(clock.now, true, clock.now);  // fill rate about 14 a second
  const double rate = limiter.fill_rate();
  // Taking tokens as fast as they come: the bucket's few tokens, then one every 1/rate s.
  const clock_type::time_point start = clock.now;
  unsigned taken = 0;
  while (clock.now - start < 10s) {
    const clock_type::duration wait = limiter.try_acquire(clock.now);
    if (wait == clock_type::duration::zero()) {
      ++taken;
    } else {
      BOOST_TEST(wait <= std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(1.0 / rate + 1e-6)));
      clock.advance(wait);
    }
  }
  // No answers came meanwhile, so the rate stayed: about rate x 10 s, plus the full bucket.
  BOOST_TEST(taken >= static_cast<unsigned>(rate * 10));
  BOOST_TEST(taken <= static_cast<unsigned>(rate * 10 + rate + 2));
}

BOOST_AUTO_TEST_CASE(success_grows_the_rate_back_along_the_cubic_curve) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 100, 5);
  limiter.on_response(clock.now, true, clock.now);
  const double last_max = limiter.measured_rate();
  // K = cbrt(last_max * 0.3 / 0.4): the time to regain last_max.
  const double k = std::cbrt(last_max * 0.3 / 0.4);
  // Half-way there, with the client sending as fast as the limiter lets it (so the measured
  // rate does not cap the curve), the rate is on the curve: below last_max, above the cut.
  const clock_type::time_point throttled_at = clock.now;
  send_at(limiter, clock, 1000, k / 2);
  const double t = std::chrono::duration<double>(clock.now - throttled_at).count();
  const double half_way = limiter.fill_rate();
  BOOST_TEST(half_way == 0.4 * std::pow(t - k, 3) + last_max, boost::test_tools::tolerance(0.02));
  BOOST_TEST(half_way < last_max);
  BOOST_TEST(half_way > 0.7 * last_max);
  // Past K it climbs above last_max, probing for more.
  send_at(limiter, clock, 1000, k);
  BOOST_TEST(limiter.fill_rate() > last_max);
}

BOOST_AUTO_TEST_CASE(the_rate_never_exceeds_twice_the_measured_rate) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 100, 5);
  limiter.on_response(clock.now, true, clock.now);
  // A client sending 5 attempts a second for a minute: the curve would allow far more.
  send_at(limiter, clock, 5, 60);
  BOOST_TEST(limiter.measured_rate() == 5.0, boost::test_tools::tolerance(0.2));
  BOOST_TEST(limiter.fill_rate() <= 2 * limiter.measured_rate() + 1e-9);
}

BOOST_AUTO_TEST_CASE(repeated_throttles_slow_down_to_the_floor_but_not_to_zero) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 50, 3);
  for (int i = 0; i < 100; ++i) {
    limiter.on_response(clock.now, true, clock.now);
    clock.advance(100ms);
  }
  BOOST_TEST(limiter.fill_rate() == 0.5);
  // The floor still lets an attempt through every two seconds.
  clock.advance(2s);
  BOOST_TEST(limiter.try_acquire(clock.now).count() == 0);
  BOOST_TEST(limiter.try_acquire(clock.now) > 1s);
}

BOOST_AUTO_TEST_CASE(recovers_from_the_floor_once_throttling_stops) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 50, 3);
  for (int i = 0; i < 100; ++i) limiter.on_response(clock.now, true, clock.now);
  BOOST_TEST(limiter.fill_rate() == 0.5);
  // A client that would send 50 a second, held by the limiter: within 20 s it is back near 50.
  send_at(limiter, clock, 50, 20);
  BOOST_TEST(limiter.fill_rate() > 40.0);
}

BOOST_AUTO_TEST_CASE(throttles_of_attempts_sent_before_the_cut_cut_no_further) {
  aws::rate_limiter limiter;
  fake_clock clock;
  send_at(limiter, clock, 100, 5);
  // 20 attempts in flight, all sent before the service started throttling them.
  const clock_type::time_point sent = clock.now;
  clock.advance(50ms);
  limiter.on_response(clock.now, true, sent);
  const double cut = limiter.fill_rate();
  BOOST_TEST(cut == 70.0, boost::test_tools::tolerance(0.05));
  for (int i = 0; i < 19; ++i) {
    clock.advance(1ms);
    limiter.on_response(clock.now, true, sent);
  }
  BOOST_TEST(limiter.fill_rate() == cut, boost::test_tools::tolerance(0.01));
  // An attempt sent after the cut, throttled too: that is a new event, and cuts again.
  const clock_type::time_point after_cut = clock.now;
  clock.advance(50ms);
  limiter.on_response(clock.now, true, after_cut);
  BOOST_TEST(limiter.fill_rate() < 0.75 * cut);
}

BOOST_AUTO_TEST_SUITE_END()
