#include "cli/progress.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>

BOOST_AUTO_TEST_SUITE(progress)

namespace cli = evstore::cli;
using namespace std::chrono_literals;
using std::chrono::year;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_progress)

BOOST_AUTO_TEST_CASE(thousands_are_grouped) {
  BOOST_TEST(cli::with_thousands(0) == "0");
  BOOST_TEST(cli::with_thousands(999) == "999");
  BOOST_TEST(cli::with_thousands(1000) == "1,000");
  BOOST_TEST(cli::with_thousands(1234567) == "1,234,567");
}

BOOST_AUTO_TEST_CASE(line_shows_rate_detail_and_eta_when_known) {
  cli::progress_sample sample{12'345, "events", 500ms, "", std::nullopt};
  // No rate before a second has passed: it would jump about.
  BOOST_TEST(cli::progress_line(sample) == "12,345 events");

  sample.elapsed = 10s;
  sample.detail = "month 2024-05";
  BOOST_TEST(cli::progress_line(sample) == "12,345 events  1,234/s  month 2024-05");

  sample.fraction = 0.25;  // 10 s for a quarter: 30 s to go
  BOOST_TEST(cli::progress_line(sample) == "12,345 events  1,234/s  month 2024-05  ETA 0:30");
  sample.elapsed = 3600s;
  BOOST_TEST(cli::progress_line(sample).ends_with("ETA 3:00:00"));
  sample.fraction = 0.0;  // nothing done yet: no estimate
  BOOST_TEST(!contains(cli::progress_line(sample), "ETA"));
}

BOOST_AUTO_TEST_CASE(month_fraction_counts_the_months_before_the_current) {
  const auto jan = year(2024) / std::chrono::January;
  const auto apr = year(2024) / std::chrono::April;
  BOOST_TEST(cli::month_fraction(jan, jan, apr).value() == 0.0);
  BOOST_TEST(cli::month_fraction(jan, year(2024) / std::chrono::March, apr).value() == 0.5);
  BOOST_TEST(cli::month_fraction(year(2023) / std::chrono::December, jan, jan).value() == 0.5);
  BOOST_TEST(!cli::month_fraction(jan, year(2024) / std::chrono::May, apr).has_value());
  BOOST_TEST(!cli::month_fraction(apr, jan, apr).has_value());
}

BOOST_AUTO_TEST_CASE(a_meter_without_terminal_does_nothing) {
  cli::progress_meter meter(nullptr);
  BOOST_TEST(!meter.enabled());
  meter.update(1, "events");
  meter.finish();
}

BOOST_AUTO_TEST_CASE(a_meter_redraws_one_line_and_ends_it) {
  std::FILE* terminal = std::tmpfile();
  BOOST_TEST_REQUIRE(terminal != nullptr);
  {
    cli::progress_meter meter(terminal);
    meter.update(1, "events", "month 2024-01");
    meter.update(2, "events", "month 2024-01");  // within the redraw interval: not drawn
    meter.finish();
  }
  std::rewind(terminal);
  char buffer[256] = {};
  const std::size_t size = std::fread(buffer, 1, sizeof buffer - 1, terminal);
  std::fclose(terminal);
  const std::string written(buffer, size);
  BOOST_TEST(written == "\r1 events  month 2024-01\x1b[K\r2 events  month 2024-01\x1b[K\n");
}

BOOST_AUTO_TEST_CASE(a_meter_left_unfinished_ends_its_line) {
  std::FILE* terminal = std::tmpfile();
  BOOST_TEST_REQUIRE(terminal != nullptr);
  {
    cli::progress_meter meter(terminal);
    meter.update(7, "items scanned");
  }  // a command failing mid-way: its error must start a line of its own
  std::rewind(terminal);
  char buffer[128] = {};
  const std::size_t size = std::fread(buffer, 1, sizeof buffer - 1, terminal);
  std::fclose(terminal);
  BOOST_TEST(std::string(buffer, size) == "\r7 items scanned\x1b[K\n");
}

BOOST_AUTO_TEST_CASE(throttling_note_only_when_throttled) {
  evstore::repo_metrics metrics;
  BOOST_TEST(!cli::throttle_note(metrics));
  metrics.dynamodb.errors.server = 5;
  BOOST_TEST(!cli::throttle_note(metrics));
  metrics.dynamodb.errors.throttling = 1;
  BOOST_TEST(*cli::throttle_note(metrics) == "throttled 1 time");
  metrics.dynamodb.errors.throttling = 1'200;
  metrics.s3.errors.throttling = 34;
  metrics.dynamodb.rate_limit_waits = 2'000;
  metrics.s3.rate_limit_waits = 10;
  metrics.dynamodb.send_rate_limit = 40.0;
  metrics.s3.send_rate_limit = 12.54;
  BOOST_TEST(
      *cli::throttle_note(metrics) ==
      "throttled 1,234 times, the rate limiter held back 2,010 attempts (now 12.5 requests/s)");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
