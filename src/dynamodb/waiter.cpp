#include "evstore/dynamodb/waiter.hpp"

#include <algorithm>

namespace evstore::dynamodb {

waiter_state table_active_state(const table_description& table) noexcept {
  if (table.fully_active()) return waiter_state::done;
  const std::string& status = table.table_status;
  if (status == "DELETING" || status == "ARCHIVING" || status == "ARCHIVED" ||
      status == "INACCESSIBLE_ENCRYPTION_CREDENTIALS") {
    return waiter_state::failed;
  }
  return waiter_state::retry;
}

std::chrono::milliseconds waiter_delay(const waiter_options& options,
                                       unsigned polls_made) noexcept {
  std::chrono::milliseconds delay = options.initial_delay;
  for (unsigned i = 1; i < polls_made && delay < options.max_delay; ++i) delay *= 2;
  return std::min(delay, options.max_delay);
}

}  // namespace evstore::dynamodb
