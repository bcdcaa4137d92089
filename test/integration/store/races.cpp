// Eight writers, each its own repo (own connections), append to one stream with the version
// they last read, 200 attempts in all: every version from 1 up has exactly one winner, and
// every loser gets a concurrency_error naming the version it expected and one really reached.

#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"
#include "support/for_each_concurrently.hpp"

BOOST_AUTO_TEST_SUITE(races)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

constexpr std::size_t writer_count = 8;
constexpr std::size_t attempts_per_writer = 25;  // 200 attempts in all

struct attempt {
  std::string payload;
  std::uint64_t expected = 0;
  bool won = false;
  std::uint64_t sequence = 0;  ///< the winner's
  std::optional<std::uint64_t> conflict_expected;
  std::optional<std::uint64_t> conflict_actual;
  std::string other_error;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(store_races)

BOOST_AUTO_TEST_CASE(eight_writers_on_one_stream_get_one_winner_per_version) {
  store_fixture f("races", {.skip_bucket_creation = true});
  f.run(f.store.init());
  repo_options writer_options = f.options;
  writer_options.skip_table_creation = true;
  std::vector<std::unique_ptr<repo>> writers;
  for (std::size_t w = 0; w < writer_count; ++w)
    writers.push_back(
        std::make_unique<repo>(f.io.get_executor(), evstore::test::local_config(), writer_options));

  std::vector<attempt> attempts(writer_count * attempts_per_writer);
  f.run(evstore::test::for_each_concurrently(
      writer_count, writer_count, [&](std::size_t w) -> boost::asio::awaitable<void> {
        repo& store = *writers[w];
        for (std::size_t k = 0; k < attempts_per_writer; ++k) {
          attempt& a = attempts[w * attempts_per_writer + k];
          a.payload =
              R"({"writer":)" + std::to_string(w) + R"(,"attempt":)" + std::to_string(k) + "}";
          a.expected = co_await store.stream_sequence("race", "one");
          std::vector<event> batch{make_event("race", "one", "step", a.payload)};
          append_options options;
          options.expected_sequence = a.expected;
          try {
            const std::vector<event> stored = co_await store.append(std::move(batch), options);
            a.won = true;
            a.sequence = stored.at(0).sequence;
          } catch (const concurrency_error& e) {
            a.conflict_expected = e.expected_version();
            a.conflict_actual = e.actual_version();
          } catch (const std::exception& e) {
            a.other_error = e.what();
          }
        }
      }));

  const std::vector<event> stored = f.replay_all({});
  const std::uint64_t version = f.run(f.store.stream_sequence("race", "one"));
  BOOST_TEST(version == stored.size());
  std::map<std::uint64_t, std::string> stored_by_sequence;
  for (const event& e : stored) stored_by_sequence[e.sequence] = e.payload_json;

  std::map<std::uint64_t, std::size_t> winners_by_version;
  std::size_t losers = 0;
  for (const attempt& a : attempts) {
    BOOST_TEST_CONTEXT("attempt " << a.payload << " expecting version " << a.expected) {
      BOOST_TEST(a.other_error.empty(), a.other_error);
      if (a.won) {
        ++winners_by_version[a.sequence];
        BOOST_TEST(a.sequence == a.expected + 1);
        BOOST_TEST(stored_by_sequence[a.sequence] == a.payload);
      } else if (a.conflict_actual) {
        ++losers;
        BOOST_TEST(*a.conflict_expected == a.expected);
        // Another writer had already taken version expected + 1; the version named is one the
        // stream really reached.
        BOOST_TEST(*a.conflict_actual > a.expected);
        BOOST_TEST(*a.conflict_actual <= version);
        bool stored_anyway = false;
        for (const auto& [sequence, payload] : stored_by_sequence)
          stored_anyway = stored_anyway || payload == a.payload;
        BOOST_TEST(!stored_anyway, "a losing append was stored");
      }
    }
  }
  // Versions 1..version, each won exactly once.
  BOOST_TEST(winners_by_version.size() == version);
  for (const auto& [v, winners] : winners_by_version) BOOST_TEST(winners == 1u, "version " << v);
  std::vector<std::uint64_t> sequences;
  for (const auto& [sequence, payload] : stored_by_sequence) sequences.push_back(sequence);
  std::vector<std::uint64_t> contiguous(sequences.size());
  std::iota(contiguous.begin(), contiguous.end(), std::uint64_t{1});
  BOOST_TEST(sequences == contiguous, boost::test_tools::per_element());
  BOOST_TEST(losers > 0u, "the writers never collided");
  BOOST_TEST_MESSAGE(attempts.size() << " attempts: " << version << " winners, " << losers
                                     << " concurrency errors");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
