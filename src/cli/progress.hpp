#pragma once
// Progress of a long command on a terminal's stderr: one line rewritten in place (count, rate,
// what is being read, ETA when the share done is known). Silent when stderr is not a terminal
// or --quiet was given, so piped output and logs stay clean.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "evstore/store/repo.hpp"

namespace evstore::cli {

struct progress_sample {
  std::uint64_t done = 0;  ///< units processed so far
  std::string_view unit;   ///< plural noun: "events", "items scanned"
  std::chrono::steady_clock::duration elapsed{};
  std::string detail;              ///< e.g. "month 2024-05"; empty: none
  std::optional<double> fraction;  ///< share of the work done, in [0, 1], when known
};

/// `12,345 events  4,100/s  month 2024-05  ETA 0:42` (rate once a second has passed, ETA once
/// the share done is known and above zero). Pure.
std::string progress_line(const progress_sample& sample);

/// The share of months [first, last] done when `current` is being read (the months before it);
/// nullopt when `current` is outside them. Months are a coarse unit: an estimate.
std::optional<double> month_fraction(std::chrono::year_month first, std::chrono::year_month current,
                                     std::chrono::year_month last);

/// `throttled 37 times, the rate limiter held back 210 attempts (now 12.5 requests/s)` when the
/// services throttled the store's requests (DynamoDB and S3 added up), else nullopt. Pure.
std::optional<std::string> throttle_note(const repo_metrics& metrics);

/// `1234567` -> `1,234,567`.
std::string with_thousands(std::uint64_t value);

/// Writes progress_line()s to `terminal` at most a few times a second, each over the last;
/// finish() leaves the final line standing. With a null terminal every call does nothing.
class progress_meter {
 public:
  explicit progress_meter(std::FILE* terminal);
  /// Ends a line left open (a command failing mid-way), so its error starts a line of its own.
  ~progress_meter();
  progress_meter(const progress_meter&) = delete;
  progress_meter& operator=(const progress_meter&) = delete;

  bool enabled() const noexcept { return terminal_ != nullptr; }
  void update(std::uint64_t done, std::string_view unit, std::string detail = {},
              std::optional<double> fraction = std::nullopt);
  /// Writes the last sample again in full and ends the line.
  void finish();

 private:
  void draw(const progress_sample& sample);

  std::FILE* terminal_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool line_open_ = false;
  std::optional<progress_sample> last_;
  std::string unit_;
};

/// stderr when progress should be shown (it is a terminal and --quiet was not given), else null.
std::FILE* progress_terminal(bool quiet);

}  // namespace evstore::cli
