// `evstore append --atomic`: every line in one transaction, all or nothing; exit 3 naming every
// stream whose version is not the expected one, exit 2 for a request over one transaction.
// Needs scripts/emulators running.

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "integration/cli/cli_fixture.hpp"

BOOST_AUTO_TEST_SUITE(append_atomic)

using evstore::test::parse_json_lines;

namespace {

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

std::string line(const std::string& identifier, const std::string& type) {
  return R"({"domain":"order","type":")" + type + R"(","identifier":")" + identifier +
         R"(","payload":{}})"
         "\n";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_append_atomic, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(conflicts_name_every_stream_and_write_nothing) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, line("o-1", "placed") + line("o-1", "paid")).status == 0);

  const std::string two_streams = line("o-1", "shipped") + line("o-2", "placed");
  auto stale = evstore({"append", "--atomic", "--expect", "order/o-1=1", "--expect",
                        "order/o-2=none", "--expect", "order/o-3=exists"},
                       two_streams);
  BOOST_TEST(stale.status == 3);
  BOOST_TEST(std::count(stale.err.begin(), stale.err.end(), '\n') == 1, stale.err);
  BOOST_TEST(contains(stale.err, "'order::o-1' expected version 1 but is at version 2"), stale.err);
  BOOST_TEST(contains(stale.err,
                      "checked stream 'order::o-3' expected an existing stream but is "
                      "at version 0"),
             stale.err);
  BOOST_TEST(!contains(stale.err, "order::o-2'"), stale.err);
  BOOST_TEST(parse_json_lines(evstore({"replay"}).out).size() == 2u);

  // --expected-sequence applies to the streams without --expect.
  auto fallback =
      evstore({"append", "--atomic", "--expected-sequence", "2", "--expect", "order/o-2=none"},
              two_streams);
  BOOST_TEST(fallback.status == 0, fallback.err);
  const auto replayed = parse_json_lines(evstore({"replay"}).out);
  BOOST_TEST(replayed.size() == 4u);
  auto stream = evstore({"stream", "order", "o-1"});
  BOOST_TEST(parse_json_lines(stream.out).size() == 3u);
}

BOOST_AUTO_TEST_CASE(too_large_or_malformed_requests_exit_2_before_writing) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += line("big", "step");
  auto too_many = evstore({"append", "--atomic"}, hundred);
  BOOST_TEST(too_many.status == 2);
  BOOST_TEST(contains(too_many.err, "101 actions"), too_many.err);
  BOOST_TEST(contains(too_many.err, "not split"), too_many.err);

  auto named_twice =
      evstore({"append", "--atomic", "--expect", "order/o-1=none", "--expect", "order/o-1=exists"},
              line("o-1", "placed"));
  BOOST_TEST(named_twice.status == 2);
  auto without_atomic = evstore({"append", "--expect", "order/o-1=none"}, line("o-1", "placed"));
  BOOST_TEST(without_atomic.status == 2);
  BOOST_TEST(contains(without_atomic.err, "--atomic"), without_atomic.err);
  BOOST_TEST(evstore({"replay"}).out.empty());

  // 99 events and their head: one transaction.
  std::string ninety_nine;
  for (int i = 0; i < 99; ++i) ninety_nine += line("big", "step");
  auto fits = evstore({"append", "--atomic", "--expect", "order/big=none"}, ninety_nine);
  BOOST_TEST(fits.status == 0, fits.err);
  BOOST_TEST(parse_json_lines(evstore({"replay"}).out).size() == 99u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
