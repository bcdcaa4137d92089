#pragma once
// Runs a batch of coroutine tasks with a cap on how many are in flight, for tests that load a
// server from many clients at once.

#include <cstddef>
#include <exception>
#include <functional>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace evstore::test {

/// Runs task(0) .. task(count - 1), at most `width` at once (worker k takes k, k + width, ...);
/// rethrows the first failure once all workers have stopped.
inline boost::asio::awaitable<void> for_each_concurrently(
    std::size_t count, std::size_t width,
    std::function<boost::asio::awaitable<void>(std::size_t)> task) {
  namespace asio = boost::asio;
  const asio::any_io_executor executor = co_await asio::this_coro::executor;
  auto worker = [&task, count, width](std::size_t first) -> asio::awaitable<void> {
    for (std::size_t i = first; i < count; i += width) co_await task(i);
  };
  using worker_op = decltype(asio::co_spawn(executor, worker(0), asio::deferred));
  std::vector<worker_op> workers;
  for (std::size_t k = 0; k < width && k < count; ++k)
    workers.push_back(asio::co_spawn(executor, worker(k), asio::deferred));
  auto [order, errors] = co_await asio::experimental::make_parallel_group(std::move(workers))
                             .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
}

}  // namespace evstore::test
