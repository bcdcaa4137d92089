#pragma once
// Helpers shared by the operations' request builders and response parsers.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"
#include "evstore/dynamodb/tables.hpp"
#include "json_path.hpp"

namespace evstore::dynamodb::detail {

// --- requests

std::string_view wire_name(return_consumed_capacity v) noexcept;
std::string_view wire_name(return_values v) noexcept;
std::string_view wire_name(return_values_on_condition_check_failure v) noexcept;
std::string_view wire_name(scalar_type v) noexcept;
std::string_view wire_name(key_type v) noexcept;
std::string_view wire_name(projection_type v) noexcept;
std::string_view wire_name(billing_mode v) noexcept;

/// Throws errc::invalid_request "<operation>: <what>".
[[noreturn]] void invalid_request(std::string_view operation, std::string_view what);
void require_table_name(std::string_view operation, std::string_view table_name);

/// Adds ExpressionAttributeNames / ExpressionAttributeValues when not empty.
void put_expression_attributes(boost::json::object& body, const expression_attribute_names& names,
                               const expression_attribute_values& values);
/// Adds ReturnConsumedCapacity unless none.
void put_return_consumed_capacity(boost::json::object& body, return_consumed_capacity v);
void put_optional_string(boost::json::object& body, std::string_view name,
                         const std::optional<std::string>& value);

boost::json::array key_schema_json(const std::vector<key_schema_element>& schema);
boost::json::object projection_json(const projection& p);
boost::json::object provisioned_throughput_json(const provisioned_throughput& p);

// --- responses

/// A response body parsed into `resource`'s memory: a JSON object, or errc::malformed_response
/// naming the operation. Keep the result in a new variable: assigning it to a value of other
/// storage would copy the whole document.
boost::json::value parse_body(std::string_view body, std::string_view operation,
                              boost::json::monotonic_resource& resource);

/// A 200 response body parsed as a JSON object (errc::malformed_response otherwise), with the
/// path that names the operation in parse errors. Not copyable: the document lives in `resource`.
class response_document {
 public:
  response_document(std::string_view body, std::string_view operation);
  response_document(const response_document&) = delete;
  response_document& operator=(const response_document&) = delete;

  const boost::json::object& object() const noexcept { return document_.get_object(); }
  const json_path& path() const noexcept { return path_; }

 private:
  boost::json::monotonic_resource resource_;
  boost::json::value document_;
  json_path path_;
};

/// The member when present and not null.
const boost::json::value* find(const boost::json::object& o, std::string_view name) noexcept;

std::optional<item> optional_item(const boost::json::object& o, std::string_view name,
                                  const json_path& path);
std::optional<consumed_capacity> optional_consumed_capacity(const boost::json::object& o,
                                                            const json_path& path);
/// ConsumedCapacity as an array (BatchGetItem, TransactWriteItems); empty when absent.
std::vector<consumed_capacity> consumed_capacity_list(const boost::json::object& o,
                                                      const json_path& path);
std::vector<item> item_list(const boost::json::value& v, const json_path& path);
std::optional<std::int64_t> optional_int(const boost::json::object& o, std::string_view name,
                                         const json_path& path);

table_description parse_table_description(const boost::json::value& v, const json_path& path);

}  // namespace evstore::dynamodb::detail
