#include "progress.hpp"

#include <unistd.h>

#include <cmath>

namespace evstore::cli {
namespace {

using std::chrono::duration;
using std::chrono::steady_clock;

constexpr auto redraw_interval = std::chrono::milliseconds(250);

std::string clock_text(double seconds) {
  const auto total = static_cast<std::uint64_t>(std::llround(seconds));
  const std::uint64_t hours = total / 3600;
  const std::uint64_t minutes = total / 60 % 60;
  const std::uint64_t secs = total % 60;
  char text[32];
  if (hours > 0) {
    std::snprintf(text, sizeof text, "%llu:%02llu:%02llu", static_cast<unsigned long long>(hours),
                  static_cast<unsigned long long>(minutes), static_cast<unsigned long long>(secs));
  } else {
    std::snprintf(text, sizeof text, "%llu:%02llu", static_cast<unsigned long long>(minutes),
                  static_cast<unsigned long long>(secs));
  }
  return text;
}

}  // namespace

std::optional<std::string> throttle_note(const repo_metrics& metrics) {
  const std::uint64_t throttled = metrics.dynamodb.errors.throttling + metrics.s3.errors.throttling;
  if (throttled == 0) return std::nullopt;
  std::string note =
      "throttled " + with_thousands(throttled) + (throttled == 1 ? " time" : " times");
  // A count of attempts rather than their waits: concurrent waits add up past the time spent.
  const std::uint64_t held = metrics.dynamodb.rate_limit_waits + metrics.s3.rate_limit_waits;
  if (held > 0)
    note += ", the rate limiter held back " + with_thousands(held) +
            (held == 1 ? " attempt" : " attempts");
  // The tighter of the two limits: the one that held the command back.
  double rate = 0;
  for (const double limit : {metrics.dynamodb.send_rate_limit, metrics.s3.send_rate_limit})
    if (limit > 0 && (rate == 0 || limit < rate)) rate = limit;
  if (rate > 0) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", rate);
    note += std::string{" (now "} + text + " requests/s)";
  }
  return note;
}

std::string with_thousands(std::uint64_t value) {
  std::string digits = std::to_string(value);
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::optional<double> month_fraction(std::chrono::year_month first, std::chrono::year_month current,
                                     std::chrono::year_month last) {
  if (current < first || current > last) return std::nullopt;
  const auto done = (current - first).count();
  const auto total = (last - first).count() + 1;
  return static_cast<double>(done) / static_cast<double>(total);
}

std::string progress_line(const progress_sample& sample) {
  std::string line = with_thousands(sample.done);
  line += ' ';
  line += sample.unit;
  const double seconds = duration<double>(sample.elapsed).count();
  if (seconds >= 1.0) {
    line += "  ";
    line += with_thousands(static_cast<std::uint64_t>(static_cast<double>(sample.done) / seconds));
    line += "/s";
  }
  if (!sample.detail.empty()) {
    line += "  ";
    line += sample.detail;
  }
  if (sample.fraction && *sample.fraction > 0.0 && *sample.fraction <= 1.0 && seconds > 0.0) {
    line += "  ETA ";
    line += clock_text(seconds * (1.0 - *sample.fraction) / *sample.fraction);
  }
  return line;
}

progress_meter::progress_meter(std::FILE* terminal)
    : terminal_(terminal), start_(steady_clock::now()) {}

progress_meter::~progress_meter() {
  if (line_open_) std::fputc('\n', terminal_);
}

void progress_meter::update(std::uint64_t done, std::string_view unit, std::string detail,
                            std::optional<double> fraction) {
  if (!terminal_) return;
  unit_ = unit;
  progress_sample sample{done, unit_, steady_clock::now() - start_, std::move(detail), fraction};
  const auto now = steady_clock::now();
  if (now - last_draw_ >= redraw_interval) {
    draw(sample);
    last_draw_ = now;
  }
  last_ = std::move(sample);
}

void progress_meter::finish() {
  if (!terminal_ || !last_) return;
  last_->elapsed = steady_clock::now() - start_;
  last_->fraction.reset();  // done: no ETA
  draw(*last_);
  std::fputc('\n', terminal_);
  std::fflush(terminal_);
  line_open_ = false;
  last_.reset();
}

void progress_meter::draw(const progress_sample& sample) {
  // Carriage return, the line, then "erase to end of line" for a shorter line over a longer.
  std::fprintf(terminal_, "\r%s\x1b[K", progress_line(sample).c_str());
  std::fflush(terminal_);
  line_open_ = true;
}

std::FILE* progress_terminal(bool quiet) {
  return !quiet && ::isatty(STDERR_FILENO) == 1 ? stderr : nullptr;
}

}  // namespace evstore::cli
