// background_tasks without a server: cancel() ends running tasks and cancels later ones, and a
// cancel() made away from the executor (a destructor between runs of the io_context) is safe
// when a task finishes, and the tasks' owner is gone, before the cancellation is delivered.

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <exception>
#include <memory>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "store/background_tasks.hpp"

BOOST_AUTO_TEST_SUITE(background_tasks)

namespace asio = boost::asio;
using evstore::background_tasks;

namespace {

/// Waits on a timer far in the future: ends only when cancelled.
asio::awaitable<int> wait_long() {
  asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::hours(1));
  co_await timer.async_wait(asio::use_awaitable);
  co_return 1;
}

/// Suspends once with its resumption already queued, then ends.
asio::awaitable<int> yield_once() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  co_return 2;
}

bool aborted(const std::exception_ptr& error) {
  if (!error) return false;
  try {
    std::rethrow_exception(error);
  } catch (const boost::system::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(cancel_ends_running_tasks_and_cancels_later_ones) {
  asio::io_context io;
  auto tasks = std::make_shared<background_tasks>(io.get_executor());
  std::exception_ptr first;
  std::exception_ptr later;
  int ended = 0;
  // Owners spawn from their coroutines, on the executor.
  asio::post(io, [&] {
    tasks->spawn(wait_long(), [&](std::exception_ptr error, int) {
      first = error;
      ++ended;
    });
  });
  // The task waits on its timer.
  io.poll();
  BOOST_TEST(ended == 0);
  tasks->cancel();
  asio::post(io, [&] {
    tasks->spawn(wait_long(), [&](std::exception_ptr error, int) {
      later = error;
      ++ended;
    });
  });
  io.run_for(std::chrono::seconds(5));
  BOOST_TEST(ended == 2);
  BOOST_TEST(aborted(first));
  BOOST_TEST(aborted(later));
}

BOOST_AUTO_TEST_CASE(a_cancel_away_from_the_executor_outlives_tasks_that_finish_first) {
  // A task whose resumption is queued, its owner cancelling and letting go between runs: when
  // the io_context runs again, the task ends before the cancellation is delivered and drops
  // the last reference to the tasks. Under AddressSanitizer or valgrind a delivery into freed
  // signals is reported.
  for (int round = 0; round < 20; ++round) {
    asio::io_context io;
    auto tasks = std::make_shared<background_tasks>(io.get_executor());
    int result = 0;
    std::exception_ptr error;
    asio::post(io, [&] {
      tasks->spawn(yield_once(), [&](std::exception_ptr e, int value) {
        error = e;
        result = value;
      });
    });
    // Run until the task has suspended with its resumption queued.
    io.run_one();
    BOOST_TEST_REQUIRE(result == 0);
    tasks->cancel();
    tasks.reset();
    io.restart();
    io.run_for(std::chrono::seconds(5));
    BOOST_TEST(!error);
    BOOST_TEST(result == 2);
  }
}

BOOST_AUTO_TEST_SUITE_END()
