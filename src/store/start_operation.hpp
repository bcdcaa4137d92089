#pragma once
// The one start of the store's completion-token forms: spawn_operation, recording a failure in
// the caller's diagnostics when it passed one.

#include <exception>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "aws/spawn_operation.hpp"
#include "evstore/store/diagnostics.hpp"

namespace evstore {

/// How a failure of an operation becomes its code: recorded in `diag` when given.
inline auto failure_code(diagnostics* diag) {
  return [diag](std::exception_ptr failure) {
    return diag ? diag->record(failure) : aws::detail::error_code_of(failure);
  };
}

template <class T>
void start_operation(const boost::asio::any_io_executor& executor,
                     boost::asio::awaitable<T> operation,
                     aws::detail::completion_handler<T> handler, diagnostics* diag) {
  if (diag) diag->clear();
  aws::detail::spawn_operation(executor, std::move(operation), std::move(handler),
                               failure_code(diag));
}

}  // namespace evstore
