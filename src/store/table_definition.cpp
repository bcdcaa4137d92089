// The table a repo creates (key schema, the time, causation and stream indexes) and its creation.
#include "repo_state.hpp"

#include <optional>

#include "stream_index.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

ddb::create_table_request table_definition(const std::string& table, const repo_options& options) {
  using ddb::key_type;
  using ddb::scalar_type;
  ddb::create_table_request request;
  request.table_name = table;
  request.attribute_definitions = {{"id", scalar_type::s},
                                   {"timeBucket", scalar_type::s},
                                   {"causationId", scalar_type::s},
                                   {"created", scalar_type::s}};
  request.key_schema = {{"id", key_type::hash}, {"created", key_type::range}};
  std::optional<ddb::provisioned_throughput> throughput;
  if (options.on_demand) {
    request.billing_mode = ddb::billing_mode::pay_per_request;
  } else {
    request.billing_mode = ddb::billing_mode::provisioned;
    throughput =
        ddb::provisioned_throughput{options.read_capacity_units, options.write_capacity_units};
    request.provisioned_throughput = throughput;
  }
  const ddb::projection keys_only{ddb::projection_type::keys_only, {}};
  request.global_secondary_indexes = {
      {std::string(time_bucket_index),
       {{"timeBucket", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
      {std::string(causation_index),
       {{"causationId", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
  };
  // The stream index (stream_index.hpp) is created with the table rather than added later.
  for (ddb::attribute_definition& definition : stream_index_attributes())
    request.attribute_definitions.push_back(std::move(definition));
  request.global_secondary_indexes.push_back(stream_index_definition(throughput));
  return request;
}

}  // namespace

asio::awaitable<void> repo_state::ensure_table() {
  bool exists = true;
  try {
    const ddb::describe_table_request request{.table_name = table};
    co_await ddb.describe_table(request);
  } catch (const ddb::service_error& error) {
    if (error.code() != ddb::errc::resource_not_found) throw;
    exists = false;
  }
  if (!exists) {
    try {
      const ddb::create_table_request request = table_definition(table, options);
      co_await ddb.create_table(request);
      log(log_level::info, "created table '" + table + "'");
    } catch (const ddb::service_error& error) {
      // Another process created it (or is creating it) at the same moment.
      if (error.code() != ddb::errc::resource_in_use) throw;
    }
  }
  co_await ddb.wait_until_active(table);
}

}  // namespace evstore
