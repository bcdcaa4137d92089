// Per-request costs the aws layer adds besides signing: the credentials cache's fast path
// (what every attempt awaits) and the retry classification and decision.

#include <chrono>
#include <cstdio>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/aws/retry_quota.hpp"

namespace aws = evstore::aws;
namespace asio = boost::asio;
using std::chrono::steady_clock;

namespace {

double nanoseconds_each(steady_clock::duration total, long count) {
  return std::chrono::duration<double, std::nano>(total).count() / static_cast<double>(count);
}

}  // namespace

int main() {
  constexpr long iterations = 1'000'000;

  asio::io_context io;
  auto provider = aws::make_static_credentials_provider(
      io.get_executor(),
      aws::credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", {}});
  steady_clock::duration cached_get{};
  std::size_t checksum = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        checksum += (co_await provider->get()).access_key_id.size();  // the first get fetches
        const auto start = steady_clock::now();
        for (long i = 0; i < iterations; ++i)
          checksum += (co_await provider->get()).access_key_id.size();
        cached_get = steady_clock::now() - start;
      },
      asio::detached);
  io.run();

  aws::retry_policy policy{{}, 1};
  aws::retry_quota quota;
  const char* codes[] = {"ThrottlingException", "ConditionalCheckFailedException",
                         "InternalServerError", "ValidationException"};
  const auto start = steady_clock::now();
  for (long i = 0; i < iterations; ++i) {
    const aws::retry_class what = aws::classify(
        {.status = 400, .error_code = codes[i % 4], .transport_error = false, .timed_out = false});
    const aws::retry_decision decision = policy.decide(what, 1, quota);
    checksum += static_cast<std::size_t>(decision.delay.count());
    if (decision.retry) quota.on_success(decision.quota_cost);
  }
  const auto decide = steady_clock::now() - start;

  std::printf("credentials_provider::get, cached:  %.1f ns\n",
              nanoseconds_each(cached_get, iterations));
  std::printf("classify + decide (+ refund):      %.1f ns\n", nanoseconds_each(decide, iterations));
  std::printf("(checksum %zu)\n", checksum);
}
