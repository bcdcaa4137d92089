#pragma once
// Runs a coroutine to completion on a test's io_context and returns its result (or rethrows).

#include <future>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace evstore::test {

/// Runs `io` until `task` and everything else queued on it is done. The test must bound the
/// task's time (timeouts) itself.
template <class T>
T run_awaitable(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  io.restart();
  io.run();
  return result.get();
}

}  // namespace evstore::test
