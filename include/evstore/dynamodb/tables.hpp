#pragma once
// Table operations: CreateTable, DescribeTable, UpdateTable (adding or removing global secondary
// indexes), DeleteTable. Request bodies and result parsing are pure functions; the client sends.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::dynamodb {

enum class scalar_type { s, n, b };
enum class key_type { hash, range };
enum class projection_type { all, keys_only, include };
enum class billing_mode { pay_per_request, provisioned };

struct attribute_definition {
  std::string attribute_name{};
  scalar_type attribute_type = scalar_type::s;
  friend bool operator==(const attribute_definition&, const attribute_definition&) = default;
};

struct key_schema_element {
  std::string attribute_name{};
  dynamodb::key_type key_type = key_type::hash;
  friend bool operator==(const key_schema_element&, const key_schema_element&) = default;
};

struct projection {
  projection_type type = projection_type::all;
  std::vector<std::string> non_key_attributes{};  ///< for projection_type::include
  friend bool operator==(const projection&, const projection&) = default;
};

struct provisioned_throughput {
  std::int64_t read_capacity_units = 0;
  std::int64_t write_capacity_units = 0;
  friend bool operator==(const provisioned_throughput&, const provisioned_throughput&) = default;
};

struct global_secondary_index {
  std::string index_name{};
  std::vector<key_schema_element> key_schema{};
  dynamodb::projection projection{};
  /// Required by provisioned tables, absent for pay-per-request ones.
  std::optional<dynamodb::provisioned_throughput> provisioned_throughput{};
};

/// A global secondary index as DescribeTable reports it.
struct global_secondary_index_description {
  std::string index_name{};
  std::string index_status{};  ///< "CREATING", "UPDATING", "DELETING", "ACTIVE"
  bool backfilling = false;
  std::vector<key_schema_element> key_schema{};
  dynamodb::projection projection{};
  std::optional<std::int64_t> item_count{};
  std::optional<std::int64_t> index_size_bytes{};
  std::string index_arn{};
};

struct table_description {
  std::string table_name{};
  std::string table_arn{};
  /// "CREATING", "UPDATING", "DELETING", "ACTIVE", "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
  /// "ARCHIVING", "ARCHIVED".
  std::string table_status{};
  std::vector<attribute_definition> attribute_definitions{};
  std::vector<key_schema_element> key_schema{};
  std::vector<global_secondary_index_description> global_secondary_indexes{};
  std::optional<dynamodb::billing_mode> billing_mode{};
  std::optional<std::int64_t> item_count{};
  std::optional<std::int64_t> table_size_bytes{};
  /// Seconds since the Unix epoch.
  std::optional<double> creation_date_time{};

  /// ACTIVE, and every global secondary index ACTIVE too.
  bool fully_active() const noexcept;
};

struct create_table_request {
  static constexpr std::string_view operation = "CreateTable";
  std::string table_name{};
  std::vector<attribute_definition> attribute_definitions{};
  std::vector<key_schema_element> key_schema{};
  dynamodb::billing_mode billing_mode = billing_mode::pay_per_request;
  std::optional<dynamodb::provisioned_throughput> provisioned_throughput{};
  std::vector<global_secondary_index> global_secondary_indexes{};
};
struct create_table_result {
  table_description table{};
};

struct describe_table_request {
  static constexpr std::string_view operation = "DescribeTable";
  std::string table_name{};
};
struct describe_table_result {
  table_description table{};
};

struct update_table_request {
  static constexpr std::string_view operation = "UpdateTable";
  std::string table_name{};
  /// Definitions of the attributes new indexes use as keys.
  std::vector<attribute_definition> attribute_definitions{};
  std::vector<global_secondary_index> create_global_secondary_indexes{};
  std::vector<std::string> delete_global_secondary_indexes{};
  std::optional<dynamodb::billing_mode> billing_mode{};
  std::optional<dynamodb::provisioned_throughput> provisioned_throughput{};
};
struct update_table_result {
  table_description table{};
};

struct delete_table_request {
  static constexpr std::string_view operation = "DeleteTable";
  std::string table_name{};
};
struct delete_table_result {
  table_description table{};
};

/// The JSON request bodies. Throw system_error(errc::invalid_request) on a request DynamoDB
/// would reject for its shape (empty table name, no key schema).
std::string to_body(const create_table_request& request);
std::string to_body(const describe_table_request& request);
std::string to_body(const update_table_request& request);
std::string to_body(const delete_table_request& request);

/// Parse 200 response bodies; throw system_error(errc::malformed_response) naming what is wrong.
create_table_result parse_create_table_result(std::string_view body);
describe_table_result parse_describe_table_result(std::string_view body);
update_table_result parse_update_table_result(std::string_view body);
delete_table_result parse_delete_table_result(std::string_view body);

}  // namespace evstore::dynamodb
