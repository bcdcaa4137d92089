#include "wire.hpp"

#include <array>
#include <map>
#include <optional>
#include <utility>

#include "attribute_json.hpp"
#include "aws/json_document.hpp"
#include "evstore/dynamodb/error.hpp"

namespace evstore::dynamodb::detail {

std::string_view wire_name(return_consumed_capacity v) noexcept {
  switch (v) {
    case return_consumed_capacity::none:
      return "NONE";
    case return_consumed_capacity::total:
      return "TOTAL";
    case return_consumed_capacity::indexes:
      return "INDEXES";
  }
  return "NONE";
}

std::string_view wire_name(return_values v) noexcept {
  switch (v) {
    case return_values::none:
      return "NONE";
    case return_values::all_old:
      return "ALL_OLD";
    case return_values::updated_old:
      return "UPDATED_OLD";
    case return_values::all_new:
      return "ALL_NEW";
    case return_values::updated_new:
      return "UPDATED_NEW";
  }
  return "NONE";
}

std::string_view wire_name(return_values_on_condition_check_failure v) noexcept {
  return v == return_values_on_condition_check_failure::all_old ? "ALL_OLD" : "NONE";
}

std::string_view wire_name(scalar_type v) noexcept {
  switch (v) {
    case scalar_type::s:
      return "S";
    case scalar_type::n:
      return "N";
    case scalar_type::b:
      return "B";
  }
  return "S";
}

std::string_view wire_name(key_type v) noexcept {
  return v == key_type::hash ? "HASH" : "RANGE";
}

std::string_view wire_name(projection_type v) noexcept {
  switch (v) {
    case projection_type::all:
      return "ALL";
    case projection_type::keys_only:
      return "KEYS_ONLY";
    case projection_type::include:
      return "INCLUDE";
  }
  return "ALL";
}

std::string_view wire_name(billing_mode v) noexcept {
  return v == billing_mode::provisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}

void invalid_request(std::string_view operation, std::string_view what) {
  std::string message(operation);
  message += ": ";
  message += what;
  throw boost::system::system_error(make_error_code(errc::invalid_request), message);
}

void require_table_name(std::string_view operation, std::string_view table_name) {
  if (table_name.empty()) invalid_request(operation, "the table name is empty");
}

void put_expression_attributes(boost::json::object& body, const expression_attribute_names& names,
                               const expression_attribute_values& values) {
  if (!names.empty()) {
    boost::json::object out;
    out.reserve(names.size());
    for (const auto& [placeholder, name] : names) out.emplace(placeholder, name);
    body.emplace("ExpressionAttributeNames", std::move(out));
  }
  if (!values.empty()) body.emplace("ExpressionAttributeValues", to_json(values));
}

void put_return_consumed_capacity(boost::json::object& body, return_consumed_capacity v) {
  if (v != return_consumed_capacity::none) body.emplace("ReturnConsumedCapacity", wire_name(v));
}

void put_optional_string(boost::json::object& body, std::string_view name,
                         const std::optional<std::string>& value) {
  if (value) body.emplace(name, *value);
}

boost::json::array key_schema_json(const std::vector<key_schema_element>& schema) {
  boost::json::array out;
  for (const auto& e : schema) {
    out.push_back(boost::json::object{{"AttributeName", e.attribute_name},
                                      {"KeyType", wire_name(e.key_type)}});
  }
  return out;
}

boost::json::object projection_json(const projection& p) {
  boost::json::object out{{"ProjectionType", wire_name(p.type)}};
  if (!p.non_key_attributes.empty()) {
    boost::json::array names;
    for (const auto& n : p.non_key_attributes) names.emplace_back(n);
    out.emplace("NonKeyAttributes", std::move(names));
  }
  return out;
}

boost::json::object provisioned_throughput_json(const provisioned_throughput& p) {
  return {{"ReadCapacityUnits", p.read_capacity_units},
          {"WriteCapacityUnits", p.write_capacity_units}};
}

// --- responses

boost::json::value parse_body(std::string_view body, std::string_view operation,
                              boost::json::monotonic_resource& resource) {
  std::string error;
  // 32 levels of nested attributes, each two JSON levels deep.
  std::optional<boost::json::value> document =
      aws::detail::parse_json(body, error, boost::json::storage_ptr(&resource), 256);
  if (!document) {
    std::string what(operation);
    what += " response body is not JSON (";
    what += error;
    what += ")";
    throw boost::system::system_error(make_error_code(errc::malformed_response), what);
  }
  expect_object(*document, json_path{nullptr, operation});
  return std::move(*document);
}

response_document::response_document(std::string_view body, std::string_view operation)
    : document_(parse_body(body, operation, resource_)), path_{nullptr, operation} {}

const boost::json::value* find(const boost::json::object& o, std::string_view name) noexcept {
  const boost::json::value* v = o.if_contains(name);
  return v != nullptr && !v->is_null() ? v : nullptr;
}

std::optional<item> optional_item(const boost::json::object& o, std::string_view name,
                                  const json_path& path) {
  const boost::json::value* v = find(o, name);
  if (v == nullptr) return std::nullopt;
  const json_path inner = path.member(name);
  expect_object(*v, inner);
  return parse_item_at(*v, inner);
}

namespace {

capacity parse_capacity(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  capacity out;
  if (const auto* units = find(o, "CapacityUnits")) {
    out.capacity_units = expect_number(*units, path.member("CapacityUnits"));
  }
  if (const auto* r = find(o, "ReadCapacityUnits")) {
    out.read_capacity_units = expect_number(*r, path.member("ReadCapacityUnits"));
  }
  if (const auto* w = find(o, "WriteCapacityUnits")) {
    out.write_capacity_units = expect_number(*w, path.member("WriteCapacityUnits"));
  }
  return out;
}

std::map<std::string, capacity> parse_index_capacities(const boost::json::value& v,
                                                       const json_path& path) {
  std::map<std::string, capacity> out;
  for (const auto& [name, c] : expect_object(v, path)) {
    out.emplace(std::string(name), parse_capacity(c, path.member(name)));
  }
  return out;
}

consumed_capacity parse_consumed_capacity(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  consumed_capacity out;
  out.table_name =
      std::string(expect_string(require(o, "TableName", path), path.member("TableName")));
  const capacity totals = parse_capacity(v, path);
  out.capacity_units = totals.capacity_units;
  out.read_capacity_units = totals.read_capacity_units;
  out.write_capacity_units = totals.write_capacity_units;
  if (const auto* t = find(o, "Table")) out.table = parse_capacity(*t, path.member("Table"));
  if (const auto* g = find(o, "GlobalSecondaryIndexes")) {
    out.global_secondary_indexes =
        parse_index_capacities(*g, path.member("GlobalSecondaryIndexes"));
  }
  if (const auto* l = find(o, "LocalSecondaryIndexes")) {
    out.local_secondary_indexes = parse_index_capacities(*l, path.member("LocalSecondaryIndexes"));
  }
  return out;
}

}  // namespace

std::optional<consumed_capacity> optional_consumed_capacity(const boost::json::object& o,
                                                            const json_path& path) {
  const auto* v = find(o, "ConsumedCapacity");
  if (v == nullptr) return std::nullopt;
  return parse_consumed_capacity(*v, path.member("ConsumedCapacity"));
}

std::vector<consumed_capacity> consumed_capacity_list(const boost::json::object& o,
                                                      const json_path& path) {
  std::vector<consumed_capacity> out;
  const auto* v = find(o, "ConsumedCapacity");
  if (v == nullptr) return out;
  const json_path inner = path.member("ConsumedCapacity");
  const auto& array = expect_array(*v, inner);
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    out.push_back(parse_consumed_capacity(array[i], inner.element(i)));
  }
  return out;
}

std::vector<item> item_list(const boost::json::value& v, const json_path& path) {
  const auto& array = expect_array(v, path);
  std::vector<item> out;
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const json_path element = path.element(i);
    expect_object(array[i], element);
    out.push_back(parse_item_at(array[i], element));
  }
  return out;
}

std::optional<std::int64_t> optional_int(const boost::json::object& o, std::string_view name,
                                         const json_path& path) {
  const auto* v = find(o, name);
  if (v == nullptr) return std::nullopt;
  return static_cast<std::int64_t>(expect_count(*v, path.member(name)));
}

namespace {

template <class Enum, std::size_t N>
Enum parse_enum(const boost::json::value& v, const json_path& path,
                const std::array<std::pair<std::string_view, Enum>, N>& names) {
  const std::string_view text = expect_string(v, path);
  for (const auto& [name, value] : names) {
    if (name == text) return value;
  }
  std::string what = "unexpected value \"";
  what.append(text.substr(0, 64));
  what += '"';
  fail(errc::malformed_response, path, what);
}

constexpr std::array<std::pair<std::string_view, scalar_type>, 3> scalar_type_names{
    {{"S", scalar_type::s}, {"N", scalar_type::n}, {"B", scalar_type::b}}};
constexpr std::array<std::pair<std::string_view, key_type>, 2> key_type_names{
    {{"HASH", key_type::hash}, {"RANGE", key_type::range}}};
constexpr std::array<std::pair<std::string_view, projection_type>, 3> projection_type_names{
    {{"ALL", projection_type::all},
     {"KEYS_ONLY", projection_type::keys_only},
     {"INCLUDE", projection_type::include}}};
constexpr std::array<std::pair<std::string_view, billing_mode>, 2> billing_mode_names{
    {{"PAY_PER_REQUEST", billing_mode::pay_per_request},
     {"PROVISIONED", billing_mode::provisioned}}};

std::string required_string(const boost::json::object& o, std::string_view name,
                            const json_path& path) {
  return std::string(expect_string(require(o, name, path), path.member(name)));
}

std::vector<key_schema_element> parse_key_schema(const boost::json::value& v,
                                                 const json_path& path) {
  const auto& array = expect_array(v, path);
  std::vector<key_schema_element> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const json_path at = path.element(i);
    const auto& e = expect_object(array[i], at);
    out.push_back({required_string(e, "AttributeName", at),
                   parse_enum(require(e, "KeyType", at), at.member("KeyType"), key_type_names)});
  }
  return out;
}

projection parse_projection(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  projection out;
  out.type = parse_enum(require(o, "ProjectionType", path), path.member("ProjectionType"),
                        projection_type_names);
  if (const auto* names = find(o, "NonKeyAttributes")) {
    const json_path at = path.member("NonKeyAttributes");
    const auto& array = expect_array(*names, at);
    for (std::size_t i = 0; i < array.size(); ++i) {
      out.non_key_attributes.emplace_back(expect_string(array[i], at.element(i)));
    }
  }
  return out;
}

global_secondary_index_description parse_gsi(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  global_secondary_index_description out;
  out.index_name = required_string(o, "IndexName", path);
  out.index_status = required_string(o, "IndexStatus", path);
  if (const auto* b = find(o, "Backfilling")) {
    out.backfilling = expect_bool(*b, path.member("Backfilling"));
  }
  out.key_schema = parse_key_schema(require(o, "KeySchema", path), path.member("KeySchema"));
  if (const auto* p = find(o, "Projection")) {
    out.projection = parse_projection(*p, path.member("Projection"));
  }
  out.item_count = optional_int(o, "ItemCount", path);
  out.index_size_bytes = optional_int(o, "IndexSizeBytes", path);
  if (const auto* arn = find(o, "IndexArn")) {
    out.index_arn = std::string(expect_string(*arn, path.member("IndexArn")));
  }
  return out;
}

}  // namespace

table_description parse_table_description(const boost::json::value& v, const json_path& path) {
  const auto& o = expect_object(v, path);
  table_description out;
  out.table_name = required_string(o, "TableName", path);
  out.table_status = required_string(o, "TableStatus", path);
  if (const auto* arn = find(o, "TableArn")) {
    out.table_arn = std::string(expect_string(*arn, path.member("TableArn")));
  }
  if (const auto* defs = find(o, "AttributeDefinitions")) {
    const json_path at = path.member("AttributeDefinitions");
    const auto& array = expect_array(*defs, at);
    for (std::size_t i = 0; i < array.size(); ++i) {
      const json_path e_path = at.element(i);
      const auto& e = expect_object(array[i], e_path);
      out.attribute_definitions.push_back(
          {required_string(e, "AttributeName", e_path),
           parse_enum(require(e, "AttributeType", e_path), e_path.member("AttributeType"),
                      scalar_type_names)});
    }
  }
  if (const auto* schema = find(o, "KeySchema")) {
    out.key_schema = parse_key_schema(*schema, path.member("KeySchema"));
  }
  if (const auto* gsis = find(o, "GlobalSecondaryIndexes")) {
    const json_path at = path.member("GlobalSecondaryIndexes");
    const auto& array = expect_array(*gsis, at);
    for (std::size_t i = 0; i < array.size(); ++i) {
      out.global_secondary_indexes.push_back(parse_gsi(array[i], at.element(i)));
    }
  }
  if (const auto* billing = find(o, "BillingModeSummary")) {
    const json_path at = path.member("BillingModeSummary");
    const auto& summary = expect_object(*billing, at);
    if (const auto* mode = find(summary, "BillingMode")) {
      out.billing_mode = parse_enum(*mode, at.member("BillingMode"), billing_mode_names);
    }
  }
  out.item_count = optional_int(o, "ItemCount", path);
  out.table_size_bytes = optional_int(o, "TableSizeBytes", path);
  if (const auto* created = find(o, "CreationDateTime")) {
    out.creation_date_time = expect_number(*created, path.member("CreationDateTime"));
  }
  return out;
}

}  // namespace evstore::dynamodb::detail
