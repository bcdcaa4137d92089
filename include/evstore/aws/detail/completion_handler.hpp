#pragma once
// The type-erased handler behind every `async_*` form of evstore's public classes: each form's
// initiation wraps the caller's completion handler in it and hands it to a compiled function, so
// public headers hold no coroutine machinery and each operation is compiled once.

#include <optional>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

namespace evstore::aws::detail {

template <class T>
struct completion_signature {
  using type = void(boost::system::error_code, T);
};
template <>
struct completion_signature<void> {
  using type = void(boost::system::error_code);
};

/// void(error_code, T), or void(error_code) for an operation without a result.
template <class T>
using completion_signature_t = typename completion_signature<T>::type;

template <class T>
using completion_handler = boost::asio::any_completion_handler<completion_signature_t<T>>;

/// The initiation of every `async_*` form: hands the caller's handler, type-erased, to the
/// compiled function `start` with the arguments (stored by deferred tokens until launched).
template <class T, class CompletionToken, class Start, class... Args>
auto initiate_operation(CompletionToken&& token, Start start, Args&&... args) {
  return boost::asio::async_initiate<CompletionToken, completion_signature_t<T>>(
      [start](auto handler, auto&&... stored) {
        start(completion_handler<T>(std::move(handler)), std::forward<decltype(stored)>(stored)...);
      },
      token, std::forward<Args>(args)...);
}

}  // namespace evstore::aws::detail
