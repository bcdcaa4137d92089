#include "store/index_build.hpp"

#include <algorithm>

#include "evstore/dynamodb/waiter.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

std::string duration_text(std::chrono::seconds elapsed) {
  const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(elapsed);
  if (minutes.count() == 0) return std::to_string(elapsed.count()) + " s";
  return std::to_string(minutes.count()) + " min";
}

}  // namespace

index_build_state judge_index_build(const ddb::table_description& table, std::string_view index,
                                    std::chrono::seconds elapsed) {
  const std::string subject =
      "index " + std::string(index) + " of table '" + table.table_name + "'";
  if (ddb::table_active_state(table) == ddb::waiter_state::failed)
    return {index_build_step::fail, "the table of " + subject + " is " + table.table_status +
                                        " and will not become ACTIVE"};
  const auto found = std::find_if(
      table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
      [&](const ddb::global_secondary_index_description& gsi) { return gsi.index_name == index; });
  if (found == table.global_secondary_indexes.end())
    return {index_build_step::fail,
            subject +
                " is gone while being built (removed by another client, or its creation "
                "failed): run init again"};
  if (found->index_status == "DELETING")
    return {index_build_step::fail, subject + " is being deleted while being built"};
  if (table.fully_active()) return {index_build_step::done, subject + " is ACTIVE"};

  std::string line = subject + " is " + found->index_status;
  if (found->backfilling) line += " (backfilling)";
  if (table.table_status != "ACTIVE") line += ", the table " + table.table_status;
  line += " after " + duration_text(elapsed);
  if (found->item_count && table.item_count) {
    line += "; it holds about " + std::to_string(*found->item_count) + " of the table's " +
            std::to_string(*table.item_count) +
            " items (DynamoDB refreshes these counts about every six hours)";
  }
  line += "; waiting as long as DynamoDB builds it";
  return {index_build_step::wait, std::move(line)};
}

}  // namespace evstore
