// Appends through a proxy that faults 20% (and 30%) of DynamoDB and S3 requests (including dropping
// the responses of TransactWriteItems the server applied): every acknowledged event is stored
// exactly once, sequences stay contiguous per stream, and an append reported failed is either
// absent or reported as store_errc::outcome_unknown, never silently stored twice.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "evstore/store/errors.hpp"
#include "faults_setup.hpp"

BOOST_AUTO_TEST_SUITE(faults_append)

using namespace evstore;
using evstore::test::fault_kind;
using evstore::test::faulted_store;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

struct workload {
  std::size_t streams = 50;
  std::size_t appends_per_stream = 40;  // 2,000 appends in all
  std::size_t writers = 16;
};

enum class outcome { acknowledged, concurrency_conflict, outcome_unknown, other_error };

const char* to_string(outcome o) {
  switch (o) {
    case outcome::acknowledged:
      return "acknowledged";
    case outcome::concurrency_conflict:
      return "concurrency_error";
    case outcome::outcome_unknown:
      return "outcome_unknown";
    case outcome::other_error:
      return "other error";
  }
  return "?";
}

struct attempt {
  std::size_t stream = 0;
  std::string payload;
  outcome result = outcome::acknowledged;
  std::uint64_t sequence = 0;  ///< the acknowledged sequence
  std::string error;
};

std::string marker(std::size_t stream, std::size_t k) {
  return "s" + std::to_string(stream) + "-k" + std::to_string(k);
}

std::string payload_of(std::size_t stream, std::size_t k) {
  // A few payloads are big enough to be offloaded: S3 uploads under faults too.
  const bool big = stream % 5 == 0 && k % 20 == 3;
  return R"({"marker":")" + marker(stream, k) + R"(","pad":")" +
         std::string(big ? 360'000 : 50 + k, 'x') + "\"}";
}

/// The stream's version, asked again while the faulted repo fails (each call has its own
/// retries; a handful of calls is plenty).
boost::asio::awaitable<std::uint64_t> current_version(repo& store, const std::string& identifier) {
  for (int call = 1;; ++call) {
    try {
      co_return co_await store.stream_sequence("ledger", identifier);
    } catch (const std::exception&) {
      if (call == 20) throw;
    }
  }
}

/// Runs the workload through the faulted repo, checks what the table holds against what each
/// append reported, and returns the count of each outcome.
std::map<outcome, std::size_t> append_and_check(const evstore::test::fault_settings& settings,
                                                const workload& load) {
  const std::size_t stream_count = load.streams;
  const std::size_t appends_per_stream = load.appends_per_stream;
  store_fixture f("faults-append");
  f.run(f.store.init());
  faulted_store faulted(f, settings);

  std::vector<attempt> attempts(stream_count * appends_per_stream);
  const auto started = std::chrono::steady_clock::now();
  f.run(evstore::test::for_each_concurrently(
            stream_count, load.writers,
            [&](std::size_t s) -> boost::asio::awaitable<void> {
              const std::string identifier = "l" + std::to_string(s);
              std::uint64_t version = 0;
              for (std::size_t k = 0; k < appends_per_stream; ++k) {
                attempt& a = attempts[s * appends_per_stream + k];
                a.stream = s;
                a.payload = payload_of(s, k);
                std::vector<event> batch{make_event("ledger", identifier, "entry", a.payload)};
                append_options options;
                options.expected_sequence = version;
                bool resync = false;
                try {
                  const std::vector<event> stored =
                      co_await faulted.store.append(std::move(batch), options);
                  a.sequence = stored.at(0).sequence;
                  version = a.sequence;
                } catch (const concurrency_error& e) {
                  a.result = outcome::concurrency_conflict;
                  a.error = e.what();
                  resync = true;
                } catch (const boost::system::system_error& e) {
                  a.result = e.code() == store_errc::outcome_unknown ? outcome::outcome_unknown
                                                                     : outcome::other_error;
                  a.error = e.what();
                  resync = true;
                } catch (const std::exception& e) {
                  a.result = outcome::other_error;
                  a.error = e.what();
                  resync = true;
                }
                if (resync) version = co_await current_version(faulted.store, identifier);
              }
            }),
        std::chrono::seconds(170));
  const auto took = std::chrono::steady_clock::now() - started;

  std::map<outcome, std::size_t> outcomes;
  for (const attempt& a : attempts) {
    ++outcomes[a.result];
    if (a.result != outcome::acknowledged)
      BOOST_TEST_MESSAGE("append " << a.payload.substr(0, 30) << " failed (" << to_string(a.result)
                                   << "): " << a.error);
  }
  BOOST_TEST_MESSAGE(attempts.size()
                     << " appends took " << std::chrono::duration<double>(took).count()
                     << " s: " << outcomes[outcome::acknowledged] << " acknowledged, "
                     << outcomes[outcome::concurrency_conflict] << " concurrency errors, "
                     << outcomes[outcome::outcome_unknown] << " outcome unknown, "
                     << outcomes[outcome::other_error] << " other errors; seed " << settings.seed
                     << "; " << faulted.fault_summary());

  // What the table holds, read without faults.
  replay_options everything;
  everything.page_size = 500;
  const std::vector<event> stored = f.replay_all(everything);
  std::map<std::string, std::vector<const event*>> by_payload;
  std::map<std::string, std::vector<std::uint64_t>> sequences;
  for (const event& e : stored) {
    by_payload[e.payload_json].push_back(&e);
    sequences[e.identifier.value_or("")].push_back(e.sequence);
  }

  for (const attempt& a : attempts) {
    const auto found = by_payload.find(a.payload);
    const std::size_t copies = found == by_payload.end() ? 0 : found->second.size();
    BOOST_TEST_CONTEXT("append " << a.payload.substr(0, 30) << " (" << to_string(a.result) << ")") {
      BOOST_TEST(copies <= 1u, "stored " << copies << " times");
      if (a.result == outcome::acknowledged) {
        BOOST_TEST(copies == 1u);
        if (copies == 1) BOOST_TEST(found->second.front()->sequence == a.sequence);
      } else if (copies > 0) {
        BOOST_TEST((a.result == outcome::outcome_unknown),
                   "reported failed but stored: " << a.error);
      }
    }
  }
  std::size_t accounted = 0;
  for (const attempt& a : attempts) accounted += by_payload.count(a.payload);
  BOOST_TEST(accounted == by_payload.size(), "events stored that no append wrote");

  for (std::size_t s = 0; s < stream_count; ++s) {
    const std::string identifier = "l" + std::to_string(s);
    std::vector<std::uint64_t>& seqs = sequences[identifier];
    std::sort(seqs.begin(), seqs.end());
    std::vector<std::uint64_t> contiguous(seqs.size());
    std::iota(contiguous.begin(), contiguous.end(), std::uint64_t{1});
    BOOST_TEST_CONTEXT("stream " << identifier) {
      BOOST_TEST(seqs == contiguous, boost::test_tools::per_element());
      BOOST_TEST(f.run(f.store.stream_sequence("ledger", identifier)) == seqs.size());
    }
  }

  const evstore::test::fault_counts ddb = faulted.dynamodb_proxy.counts();
  // At least half the share asked for; S3 sees only the few offloaded payloads.
  BOOST_TEST(static_cast<double>(ddb.faults()) >=
             static_cast<double>(ddb.requests) * settings.share / 2);
  BOOST_TEST(ddb.of(fault_kind::dropped_transaction) > 0u);
  const evstore::test::fault_counts s3 = faulted.s3_proxy.counts();
  BOOST_TEST((s3.requests < 20 || s3.faults() > 0));
  return outcomes;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_faults_append)

BOOST_AUTO_TEST_CASE(appends_under_twenty_percent_faults_store_each_acknowledged_event_once) {
  evstore::test::fault_settings settings;
  settings.seed = evstore::test::fault_seed(4242);
  std::map<outcome, std::size_t> outcomes = append_and_check(settings, workload{});
  // With 8 attempts a request fails for good once in millions: (nearly) all acknowledged.
  BOOST_TEST(outcomes[outcome::acknowledged] * 100 >= 2'000u * 99);
}

BOOST_AUTO_TEST_CASE(
    appends_under_thirty_percent_faults_at_the_defaults_are_all_acknowledged_once) {
  // The repo's retry defaults: no attempt count, bounded by a minute without progress.
  evstore::test::fault_settings settings;
  settings.share = 0.3;
  settings.max_attempts = repo_options{}.max_attempts.value_or(0);
  settings.seed = evstore::test::fault_seed(3030);
  workload load;
  load.streams = 30;
  load.appends_per_stream = 20;
  load.writers = 15;
  std::map<outcome, std::size_t> outcomes = append_and_check(settings, load);
  // Every failure is retried until it goes through: no append fails.
  BOOST_TEST(outcomes[outcome::acknowledged] == 600u);
}

BOOST_AUTO_TEST_CASE(appends_whose_retries_run_out_are_absent_or_outcome_unknown) {
  // Half the requests faulted and two attempts: a quarter of the requests fail for good, so
  // appends do fail, some after their transaction was applied.
  evstore::test::fault_settings settings;
  settings.share = 0.5;
  settings.max_attempts = 2;
  settings.seed = evstore::test::fault_seed(99);
  workload load;
  load.streams = 10;
  load.appends_per_stream = 30;
  load.writers = 10;
  std::map<outcome, std::size_t> outcomes = append_and_check(settings, load);
  BOOST_TEST(outcomes[outcome::acknowledged] < 300u, "no append failed: the test proved nothing");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
