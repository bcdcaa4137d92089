#include "stream_index.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/dynamodb/waiter.hpp"
#include "evstore/store/errors.hpp"
#include "repo_state.hpp"
#include "store/index_build.hpp"
#include "store/item_codec.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// UpdateTable refusals (the table busy with another change) waited out before giving up.
constexpr unsigned max_update_attempts = 10;
/// Polls of a building index slow down to one per this.
constexpr std::chrono::seconds build_poll_max_delay{10};
/// A building index is reported in the log this often.
constexpr std::chrono::minutes build_report_interval{5};

bool has_stream_index(const ddb::table_description& table) {
  return std::any_of(table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
                     [](const ddb::global_secondary_index_description& index) {
                       return index.index_name == stream_index;
                     });
}

/// Waits until the table and its indexes are ACTIVE, the stream index among them, for as long
/// as DynamoDB reports the index being built (a backfill of a large table takes hours), logging
/// progress; throws dynamodb::errc::waiter_failed once it can no longer become ACTIVE.
asio::awaitable<void> wait_for_index_build(repo_state& state) {
  using clock = std::chrono::steady_clock;
  const clock::time_point start = clock::now();
  clock::time_point next_report = start + build_report_interval;
  ddb::waiter_options pacing;
  pacing.max_delay = build_poll_max_delay;
  for (unsigned polls = 1;; ++polls) {
    const ddb::describe_table_request describe{.table_name = state.table};
    std::optional<ddb::describe_table_result> described;
    try {
      described = co_await state.ddb.describe_table(describe);
    } catch (const ddb::service_error& error) {
      // Throttling or a server error that outlived the request's retries: a wait that may last
      // hours polls on rather than giving up the backfill.
      if (!error.retryable()) throw;
      state.log(log_level::warning, std::string("DescribeTable failed while waiting for the "
                                                "stream index; asking again: ") +
                                        error.what());
    }
    if (described) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(clock::now() - start);
      const index_build_state judged = judge_index_build(described->table, stream_index, elapsed);
      switch (judged.step) {
        case index_build_step::done:
          co_return;
        case index_build_step::fail:
          throw boost::system::system_error(make_error_code(ddb::errc::waiter_failed),
                                            judged.description);
        case index_build_step::wait:
          break;
      }
      if (clock::now() >= next_report) {
        state.log(log_level::info, judged.description);
        next_report += build_report_interval;
      }
    }
    asio::steady_timer pause(state.executor, ddb::waiter_delay(pacing, polls));
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace

bool entry_holds_event(const ddb::item& entry) {
  return entry.contains("domain") && (entry.contains("payload") || entry.contains("s3Reference"));
}

std::uint64_t entry_sequence(const ddb::item& entry) {
  const auto found = entry.find("sequence");
  try {
    if (found != entry.end() && found->second.type() == ddb::attribute_type::n)
      return found->second.as_uint64();
  } catch (const boost::system::system_error&) {
    // not a whole number: reported below
  }
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "an entry of the stream index has no whole-number sequence");
}

const std::string& entry_created(const ddb::item& entry) {
  const auto found = entry.find("created");
  if (found == entry.end() || found->second.type() != ddb::attribute_type::s)
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "an entry of the stream index has no created text");
  return found->second.as_string();
}

std::vector<ddb::attribute_definition> stream_index_attributes() {
  return {{std::string(stream_attribute), ddb::scalar_type::s}, {"sequence", ddb::scalar_type::n}};
}

ddb::global_secondary_index stream_index_definition(
    std::optional<ddb::provisioned_throughput> throughput) {
  return {
      std::string(stream_index),
      {{std::string(stream_attribute), ddb::key_type::hash}, {"sequence", ddb::key_type::range}},
      ddb::projection{ddb::projection_type::keys_only, {}},
      throughput};
}

// GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
// bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> ensure_stream_index(repo_state& state) {
  for (unsigned attempt = 1;; ++attempt) {
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
      // Another process added this very index: wait for its build like for one's own.
      if (error.code() == ddb::errc::validation_error &&
          error.service_message().find("already exists") != std::string::npos)
        break;
      // Another process is changing the table: wait for it to settle, then look again.
      const bool busy =
          error.code() == ddb::errc::resource_in_use || error.code() == ddb::errc::limit_exceeded;
      if (!busy || attempt >= max_update_attempts) throw;
    }
    co_await state.ddb.wait_until_active(state.table);
  }
  co_await wait_for_index_build(state);
}
#pragma GCC diagnostic pop

}  // namespace evstore
