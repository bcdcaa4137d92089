#pragma once
// Waiting for a table state by polling DescribeTable: the policy (which states end the wait,
// how long between polls) as pure functions; client::wait_until_* run it.

#include <chrono>

#include "evstore/dynamodb/tables.hpp"

namespace evstore::dynamodb {

struct waiter_options {
  /// Delay before the second poll; it doubles from poll to poll up to max_delay.
  std::chrono::milliseconds initial_delay{25};
  std::chrono::milliseconds max_delay{2000};
  /// The wait fails with errc::waiter_timeout once this has passed since it started.
  std::chrono::milliseconds timeout{120000};
};

enum class waiter_state {
  done,    ///< the table is in the state waited for
  retry,   ///< not yet: poll again
  failed,  ///< the state waited for cannot come (a table being deleted will not become ACTIVE)
};

/// For wait_until_active: done when the table and every global secondary index are ACTIVE.
waiter_state table_active_state(const table_description& table) noexcept;

/// The delay after poll `polls_made` (1 after the first poll).
std::chrono::milliseconds waiter_delay(const waiter_options& options, unsigned polls_made) noexcept;

}  // namespace evstore::dynamodb
