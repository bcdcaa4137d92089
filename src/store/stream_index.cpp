#include "stream_index.hpp"

#include <algorithm>
#include <chrono>

#include <boost/system/system_error.hpp>

#include "evstore/store/item_codec.hpp"
#include "repo_state.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// UpdateTable refusals (the table busy with another change) waited out before giving up.
constexpr unsigned max_update_attempts = 10;
/// Backfilling an index reads the whole table: on a large table it takes far longer than a
/// table creation.
constexpr std::chrono::minutes backfill_timeout{60};

bool has_stream_index(const ddb::table_description& table) {
  return std::any_of(table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
                     [](const ddb::global_secondary_index_description& index) {
                       return index.index_name == stream_index;
                     });
}

}  // namespace

std::vector<ddb::attribute_definition> stream_index_attributes() {
  return {{std::string(stream_attribute), ddb::scalar_type::s}, {"sequence", ddb::scalar_type::n}};
}

ddb::global_secondary_index stream_index_definition(
    std::optional<ddb::provisioned_throughput> throughput) {
  return {
      std::string(stream_index),
      {{std::string(stream_attribute), ddb::key_type::hash}, {"sequence", ddb::key_type::range}},
      ddb::projection{ddb::projection_type::all, {}},
      throughput};
}

asio::awaitable<void> ensure_stream_index(repo_state& state) {
  for (unsigned attempt = 1;; ++attempt) {
    // Requests are named locals: GCC 12 destroys temporaries of a co_await expression twice.
    const ddb::describe_table_request describe{.table_name = state.table};
    const ddb::describe_table_result described = co_await state.ddb.describe_table(describe);
    if (has_stream_index(described.table)) break;

    ddb::update_table_request update;
    update.table_name = state.table;
    update.attribute_definitions = stream_index_attributes();
    std::optional<ddb::provisioned_throughput> throughput;
    if (described.table.billing_mode != ddb::billing_mode::pay_per_request) {
      throughput = ddb::provisioned_throughput{state.options.read_capacity_units,
                                               state.options.write_capacity_units};
    }
    update.create_global_secondary_indexes = {stream_index_definition(throughput)};
    try {
      co_await state.ddb.update_table(update);
      state.log(log_level::info,
                "adding the stream index to table '" + state.table + "' (backfilling)");
      break;
    } catch (const ddb::service_error& error) {
      // Another process is changing the table (perhaps adding this very index): wait for it to
      // settle, then look again.
      const bool busy = error.code() == ddb::errc::resource_in_use ||
                        error.code() == ddb::errc::limit_exceeded ||
                        (error.code() == ddb::errc::validation_error &&
                         error.service_message().find("already exists") != std::string::npos);
      if (!busy || attempt >= max_update_attempts) throw;
    }
    co_await state.ddb.wait_until_active(state.table);
  }
  ddb::waiter_options backfill;
  backfill.timeout = backfill_timeout;
  co_await state.ddb.wait_until_active(state.table, backfill);
}

}  // namespace evstore
