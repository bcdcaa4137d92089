#include <boost/test/unit_test.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/system/system_error.hpp>

#include "aws/spawn_operation.hpp"

BOOST_AUTO_TEST_SUITE(spawn_operation)

namespace asio = boost::asio;
using boost::system::error_code;
using evstore::aws::detail::completion_handler;

// An object with one async_ form shaped like evstore's: async_initiate hands a type-erased
// handler to a compiled start function.
class echo_service {
 public:
  explicit echo_service(asio::any_io_executor executor) : executor_(std::move(executor)) {}

  /// Completes with `text` after `delay`, or with an error when `text` is "throw".
  template <class CompletionToken>
  auto async_echo(std::string text, std::chrono::milliseconds delay, CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(error_code, std::string)>(
        [this](auto handler, std::string echoed, std::chrono::milliseconds wait) {
          start_echo(std::move(echoed), wait, std::move(handler));
        },
        token, std::move(text), delay);
  }

 private:
  void start_echo(std::string text, std::chrono::milliseconds delay,
                  completion_handler<std::string> handler) {
    evstore::aws::detail::spawn_operation(executor_, echo(std::move(text), delay),
                                          std::move(handler));
  }

  static asio::awaitable<std::string> echo(std::string text, std::chrono::milliseconds delay) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    if (text == "throw") throw std::invalid_argument("bad text");
    co_return text;
  }

  asio::any_io_executor executor_;
};

BOOST_AUTO_TEST_CASE(a_callback_gets_the_value_or_the_code_without_an_exception) {
  asio::io_context io;
  echo_service service(io.get_executor());
  std::optional<std::pair<error_code, std::string>> ok, failed;
  service.async_echo("hello", std::chrono::milliseconds(1),
                     [&](error_code code, std::string text) { ok.emplace(code, text); });
  service.async_echo("throw", std::chrono::milliseconds(1),
                     [&](error_code code, std::string text) { failed.emplace(code, text); });
  BOOST_TEST(!ok.has_value());  // never completed inline
  io.run();
  BOOST_TEST_REQUIRE(ok.has_value());
  BOOST_TEST(!ok->first);
  BOOST_TEST(ok->second == "hello");
  BOOST_TEST_REQUIRE(failed.has_value());
  BOOST_TEST(failed->first == boost::system::errc::invalid_argument);
  BOOST_TEST(failed->second.empty());
}

BOOST_AUTO_TEST_CASE(use_future_deferred_use_awaitable_and_as_tuple_complete_alike) {
  asio::io_context io;
  echo_service service(io.get_executor());
  auto future = service.async_echo("future", std::chrono::milliseconds(1), asio::use_future);
  auto deferred = service.async_echo("deferred", std::chrono::milliseconds(1), asio::deferred);
  std::string from_deferred, from_awaitable;
  error_code tuple_code;
  std::move(deferred)([&](error_code, std::string text) { from_deferred = text; });
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        from_awaitable = co_await service.async_echo("awaitable", std::chrono::milliseconds(1),
                                                     asio::use_awaitable);
        auto [code, text] = co_await service.async_echo("throw", std::chrono::milliseconds(1),
                                                        asio::as_tuple(asio::use_awaitable));
        tuple_code = code;
        BOOST_TEST(text.empty());
        // The awaitable form of an error code: thrown as system_error.
        BOOST_CHECK_THROW(
            co_await service.async_echo("throw", std::chrono::milliseconds(1), asio::use_awaitable),
            boost::system::system_error);
      },
      asio::detached);
  io.run();
  BOOST_TEST(future.get() == "future");
  BOOST_TEST(from_deferred == "deferred");
  BOOST_TEST(from_awaitable == "awaitable");
  BOOST_TEST(tuple_code == boost::system::errc::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_terminal_cancellation_through_the_slot_ends_it_with_operation_aborted) {
  asio::io_context io;
  echo_service service(io.get_executor());
  asio::cancellation_signal signal;
  std::optional<error_code> result;
  const auto started = std::chrono::steady_clock::now();
  service.async_echo("slow", std::chrono::seconds(30),
                     asio::bind_cancellation_slot(
                         signal.slot(), [&](error_code code, std::string) { result = code; }));
  asio::steady_timer timer(io, std::chrono::milliseconds(20));
  timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::terminal); });
  io.run();
  BOOST_TEST_REQUIRE(result.has_value());
  BOOST_TEST(*result == asio::error::operation_aborted);
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_CASE(the_handler_runs_on_its_own_associated_executor) {
  asio::io_context io;
  echo_service service(io.get_executor());
  auto strand = asio::make_strand(io);
  bool on_strand = false;
  service.async_echo("x", std::chrono::milliseconds(1),
                     asio::bind_executor(strand, [&](error_code, std::string) {
                       on_strand = strand.running_in_this_thread();
                     }));
  std::thread other([&] { io.run(); });
  io.run();
  other.join();
  BOOST_TEST(on_strand);
}

BOOST_AUTO_TEST_SUITE_END()
