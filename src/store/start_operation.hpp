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

template <class T>
void start_operation(const boost::asio::any_io_executor& executor,
                     boost::asio::awaitable<T> operation,
                     aws::detail::completion_handler<T> handler, diagnostics* diag) {
  if (!diag) {
    aws::detail::spawn_operation(executor, std::move(operation), std::move(handler));
    return;
  }
  diag->clear();
  aws::detail::spawn_operation(
      executor, std::move(operation), std::move(handler),
      [diag](std::exception_ptr failure) { return diag->record(failure); });
}

}  // namespace evstore
