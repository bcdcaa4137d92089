#pragma once
// ReturnConsumedCapacity and the ConsumedCapacity a result carries when it was asked for.

#include <map>
#include <optional>
#include <string>

namespace evstore::dynamodb {

enum class return_consumed_capacity { none, total, indexes };

/// Capacity units spent on one table or index.
struct capacity {
  double capacity_units = 0;
  std::optional<double> read_capacity_units{};
  std::optional<double> write_capacity_units{};
};

struct consumed_capacity {
  std::string table_name{};
  double capacity_units = 0;
  std::optional<double> read_capacity_units{};
  std::optional<double> write_capacity_units{};
  /// With return_consumed_capacity::indexes: the table's own share, and each index's.
  std::optional<dynamodb::capacity> table{};
  std::map<std::string, dynamodb::capacity> global_secondary_indexes{};
  std::map<std::string, dynamodb::capacity> local_secondary_indexes{};
};

}  // namespace evstore::dynamodb
