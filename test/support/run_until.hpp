#pragma once
// Runs a test's io_context until a condition holds (a callback ran, a future is ready), failing
// the test when it takes longer than a limit: how the completion-token tests wait.

#include <chrono>
#include <future>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

namespace evstore::test {

/// Runs `io` until `done()` holds, failing the test after `limit`.
template <class Done>
void run_until(boost::asio::io_context& io, Done done,
               std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    BOOST_TEST_REQUIRE((now < deadline), "the operation did not complete in time");
    io.run_one_for(deadline - now);
  }
}

/// Runs `io` until `future` is ready and returns its value (or rethrows).
template <class T>
T wait_for(boost::asio::io_context& io, std::future<T>& future) {
  run_until(io,
            [&] { return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready; });
  return future.get();
}

}  // namespace evstore::test
