#pragma once
// Runs an operation's coroutine on the object's executor and completes the caller's handler with
// an error code instead of an exception: the one implementation behind every `async_*` form.
// Included by .cpp files only (it pulls in co_spawn).

#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/system/error_code.hpp>

#include "evstore/aws/detail/completion_handler.hpp"

namespace evstore::aws::detail {

/// The code of an exception an operation ended with: a system_error's own code;
/// errc::invalid_argument for std::invalid_argument (and other logic errors);
/// errc::not_enough_memory for std::bad_alloc; errc::io_error for anything else.
boost::system::error_code error_code_of(std::exception_ptr failure) noexcept;

/// Starts `operation` on `executor` and completes `handler` with (code, value): `finish(value)`
/// (a pair of code and value) on success, a default value and `translate(exception)` on failure.
/// `finish` lets an operation return an expected failure as a value, completing with its code
/// without an exception. The handler runs on its own associated executor (default: `executor`),
/// and its cancellation slot reaches the coroutine, so a terminal cancellation ends the operation
/// with operation_aborted. `translate` maps an exception to its code (and may record details
/// beside it); neither it nor `finish` may throw. T (the handler's value) is given explicitly.
template <class T, class Result, class Translate, class Finish>
void spawn_operation(const boost::asio::any_io_executor& executor,
                     boost::asio::awaitable<Result> operation, completion_handler<T> handler,
                     Translate translate, Finish finish) {
  auto slot = boost::asio::get_associated_cancellation_slot(handler);
  auto handler_executor = boost::asio::get_associated_executor(handler, executor);
  auto complete = [handler = std::move(handler), translate = std::move(translate),
                   finish = std::move(finish)](std::exception_ptr failure, Result value) mutable {
    if (failure) {
      std::move(handler)(translate(failure), T{});
    } else {
      auto [code, result] = finish(std::move(value));
      std::move(handler)(code, std::move(result));
    }
  };
  boost::asio::co_spawn(
      executor, std::move(operation),
      boost::asio::bind_cancellation_slot(
          slot, boost::asio::bind_executor(handler_executor, std::move(complete))));
}

/// spawn_operation of an operation whose value is the handler's.
template <class T, class Translate>
void spawn_operation(const boost::asio::any_io_executor& executor,
                     boost::asio::awaitable<T> operation, completion_handler<T> handler,
                     Translate translate) {
  if constexpr (std::is_void_v<T>) {
    auto slot = boost::asio::get_associated_cancellation_slot(handler);
    auto handler_executor = boost::asio::get_associated_executor(handler, executor);
    auto complete = [handler = std::move(handler),
                     translate = std::move(translate)](std::exception_ptr failure) mutable {
      std::move(handler)(failure ? translate(failure) : boost::system::error_code{});
    };
    boost::asio::co_spawn(
        executor, std::move(operation),
        boost::asio::bind_cancellation_slot(
            slot, boost::asio::bind_executor(handler_executor, std::move(complete))));
  } else {
    spawn_operation<T>(executor, std::move(operation), std::move(handler), std::move(translate),
                       [](T value) {
                         return std::pair{boost::system::error_code{}, std::move(value)};
                       });
  }
}

/// spawn_operation with error_code_of as the translation.
template <class T>
void spawn_operation(const boost::asio::any_io_executor& executor,
                     boost::asio::awaitable<T> operation, completion_handler<T> handler) {
  spawn_operation(executor, std::move(operation), std::move(handler), &error_code_of);
}

}  // namespace evstore::aws::detail
