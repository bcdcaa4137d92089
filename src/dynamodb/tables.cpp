#include "evstore/dynamodb/tables.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

bool table_description::fully_active() const noexcept {
  return table_status == "ACTIVE" &&
         std::all_of(global_secondary_indexes.begin(), global_secondary_indexes.end(),
                     [](const auto& gsi) { return gsi.index_status == "ACTIVE"; });
}

namespace {

boost::json::array attribute_definitions_json(const std::vector<attribute_definition>& defs) {
  boost::json::array out;
  for (const auto& d : defs) {
    out.push_back(boost::json::object{{"AttributeName", d.attribute_name},
                                      {"AttributeType", wire_name(d.attribute_type)}});
  }
  return out;
}

boost::json::object gsi_json(std::string_view operation, const global_secondary_index& gsi) {
  if (gsi.index_name.empty()) invalid_request(operation, "a global secondary index has no name");
  if (gsi.key_schema.empty()) {
    invalid_request(operation, "global secondary index " + gsi.index_name + " has no key schema");
  }
  boost::json::object out{{"IndexName", gsi.index_name},
                          {"KeySchema", key_schema_json(gsi.key_schema)},
                          {"Projection", projection_json(gsi.projection)}};
  if (gsi.provisioned_throughput) {
    out.emplace("ProvisionedThroughput", provisioned_throughput_json(*gsi.provisioned_throughput));
  }
  return out;
}

std::string table_name_body(std::string_view operation, const std::string& table_name) {
  require_table_name(operation, table_name);
  return boost::json::serialize(boost::json::object{{"TableName", table_name}});
}

table_description parse_description(std::string_view body, std::string_view operation,
                                    std::string_view member) {
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_body(body, operation, resource);
  const boost::json::object& o = document.get_object();
  const json_path path{nullptr, operation};
  return parse_table_description(require(o, member, path), path.member(member));
}

}  // namespace

std::string to_body(const create_table_request& request) {
  const auto operation = create_table_request::operation;
  require_table_name(operation, request.table_name);
  if (request.key_schema.empty()) invalid_request(operation, "the key schema is empty");
  boost::json::object body{
      {"TableName", request.table_name},
      {"AttributeDefinitions", attribute_definitions_json(request.attribute_definitions)},
      {"KeySchema", key_schema_json(request.key_schema)},
      {"BillingMode", wire_name(request.billing_mode)}};
  if (request.provisioned_throughput) {
    body.emplace("ProvisionedThroughput",
                 provisioned_throughput_json(*request.provisioned_throughput));
  }
  if (!request.global_secondary_indexes.empty()) {
    boost::json::array gsis;
    for (const auto& gsi : request.global_secondary_indexes) {
      gsis.push_back(gsi_json(operation, gsi));
    }
    body.emplace("GlobalSecondaryIndexes", std::move(gsis));
  }
  return boost::json::serialize(body);
}

std::string to_body(const describe_table_request& request) {
  return table_name_body(describe_table_request::operation, request.table_name);
}

std::string to_body(const delete_table_request& request) {
  return table_name_body(delete_table_request::operation, request.table_name);
}

std::string to_body(const update_table_request& request) {
  const auto operation = update_table_request::operation;
  require_table_name(operation, request.table_name);
  boost::json::object body{{"TableName", request.table_name}};
  if (!request.attribute_definitions.empty()) {
    body.emplace("AttributeDefinitions", attribute_definitions_json(request.attribute_definitions));
  }
  if (request.billing_mode) body.emplace("BillingMode", wire_name(*request.billing_mode));
  if (request.provisioned_throughput) {
    body.emplace("ProvisionedThroughput",
                 provisioned_throughput_json(*request.provisioned_throughput));
  }
  boost::json::array updates;
  for (const auto& gsi : request.create_global_secondary_indexes) {
    updates.push_back(boost::json::object{{"Create", gsi_json(operation, gsi)}});
  }
  for (const auto& name : request.delete_global_secondary_indexes) {
    updates.push_back(boost::json::object{{"Delete", boost::json::object{{"IndexName", name}}}});
  }
  if (!updates.empty()) body.emplace("GlobalSecondaryIndexUpdates", std::move(updates));
  if (body.size() == 1) invalid_request(operation, "the request changes nothing");
  return boost::json::serialize(body);
}

create_table_result parse_create_table_result(std::string_view body) {
  return {parse_description(body, create_table_request::operation, "TableDescription")};
}

describe_table_result parse_describe_table_result(std::string_view body) {
  return {parse_description(body, describe_table_request::operation, "Table")};
}

update_table_result parse_update_table_result(std::string_view body) {
  return {parse_description(body, update_table_request::operation, "TableDescription")};
}

delete_table_result parse_delete_table_result(std::string_view body) {
  return {parse_description(body, delete_table_request::operation, "TableDescription")};
}

}  // namespace evstore::dynamodb
