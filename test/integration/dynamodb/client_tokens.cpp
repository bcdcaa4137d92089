// The token forms of dynamodb::client on DynamoDB Local: every operation family once, with a
// callback, use_future, deferred, use_awaitable and as_tuple; service errors as error codes and
// diagnostics, without an exception raised on the way; a terminal cancellation.

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <string>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/diagnostics.hpp"
#include "evstore/dynamodb/client.hpp"
#include "integration/dynamodb/local_fixture.hpp"
#include "support/raised_exceptions.hpp"
#include "support/run_until.hpp"

BOOST_AUTO_TEST_SUITE(client_tokens)

namespace asio = boost::asio;
using boost::system::error_code;
using namespace evstore::dynamodb;
using evstore::aws::diagnostics;
using evstore::dynamodb::test::local_fixture;
using evstore::dynamodb::test::n;
using evstore::dynamodb::test::s;
using evstore::test::raised_exceptions;
using evstore::test::run_until;
using evstore::test::wait_for;

namespace {

put_item_request new_item(const std::string& table, const std::string& pk, std::int64_t value) {
  return {.table_name = table,
          .item = {{"pk", s(pk)}, {"v", n(value)}},
          .condition_expression = "attribute_not_exists(pk)"};
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_client_runs_on_the_executor_it_was_given) {
  local_fixture f;
  BOOST_TEST((f.ddb.get_executor() == asio::any_io_executor(f.io.get_executor())));
}

BOOST_AUTO_TEST_CASE(tables_with_a_callback_use_future_and_as_tuple) {
  local_fixture f;
  const std::string name = local_fixture::unique_name("tokens-tables");
  f.tables.push_back(name);
  const create_table_request create{.table_name = name,
                                    .attribute_definitions = {{"pk", scalar_type::s}},
                                    .key_schema = {{"pk", key_type::hash}}};
  std::optional<error_code> created;
  f.ddb.async_create_table(create, [&](error_code ec, create_table_result) { created = ec; });
  run_until(f.io, [&] { return created.has_value(); });
  BOOST_TEST(!*created);

  const waiter_options waiting{.timeout = std::chrono::seconds(10)};
  std::future<table_description> active =
      f.ddb.async_wait_until_active(name, waiting, asio::use_future);
  BOOST_TEST(wait_for(f.io, active).table_status == "ACTIVE");

  const describe_table_request describe{name};
  std::future<describe_table_result> described_future =
      f.ddb.async_describe_table(describe, asio::use_future);
  BOOST_TEST(wait_for(f.io, described_future).table.table_name == name);

  const delete_table_request drop{name};
  std::optional<error_code> dropped, gone;
  f.ddb.async_delete_table(drop, [&](error_code ec, delete_table_result) { dropped = ec; });
  run_until(f.io, [&] { return dropped.has_value(); });
  BOOST_TEST(!*dropped);
  f.ddb.async_wait_until_deleted(name, waiting, [&](error_code ec) { gone = ec; });
  run_until(f.io, [&] { return gone.has_value(); });
  BOOST_TEST(!*gone);
}

BOOST_AUTO_TEST_CASE(items_with_deferred_and_use_awaitable) {
  local_fixture f;
  const std::string table = f.make_table("tokens-items", false);
  const put_item_request put = new_item(table, "a", 1);
  const update_item_request update{.table_name = table,
                                   .key = {{"pk", s("a")}},
                                   .update_expression = "SET v = :v",
                                   .values = {{":v", n(2)}}};
  const get_item_request get{.table_name = table, .key = {{"pk", s("a")}}, .consistent_read = true};
  const delete_item_request drop{.table_name = table, .key = {{"pk", s("a")}}};
  // deferred: nothing is sent until the deferred operation is started.
  auto deferred_put = f.ddb.async_put_item(put, asio::deferred);
  std::optional<error_code> put_code;
  std::move(deferred_put)([&](error_code ec, put_item_result) { put_code = ec; });
  run_until(f.io, [&] { return put_code.has_value(); });
  BOOST_TEST(!*put_code);

  std::optional<std::int64_t> after_update;
  bool item_gone = false;
  auto steps = [&]() -> asio::awaitable<void> {
    co_await f.ddb.async_update_item(update, asio::use_awaitable);
    get_item_result got = co_await f.ddb.async_get_item(get, asio::use_awaitable);
    if (got.item) after_update = std::stoll(got.item->at("v").as_number_text());
    co_await f.ddb.async_delete_item(drop, asio::use_awaitable);
    got = co_await f.ddb.async_get_item(get, asio::use_awaitable);
    item_gone = !got.item;
  };
  f.run(steps());
  BOOST_TEST((after_update == 2));
  BOOST_TEST(item_gone);
}

BOOST_AUTO_TEST_CASE(queries_scans_and_batch_reads_with_as_tuple) {
  local_fixture f;
  const std::string table = f.make_table("tokens-reads", true);
  for (std::int64_t i = 1; i <= 3; ++i) {
    const put_item_request put{.table_name = table, .item = {{"pk", s("p")}, {"sk", n(i)}}};
    f.run(f.ddb.put_item(put));
  }
  const query_request query{
      .table_name = table, .key_condition_expression = "pk = :p", .values = {{":p", s("p")}}};
  const scan_request scan{.table_name = table};
  batch_get_item_request batch;
  batch.request_items[table].keys = {{{"pk", s("p")}, {"sk", n(2)}}};
  std::size_t queried = 0, scanned = 0, batched = 0;
  error_code query_code, scan_code, batch_code;
  auto reads = [&]() -> asio::awaitable<void> {
    auto [qc, page] = co_await f.ddb.async_query(query, asio::as_tuple(asio::use_awaitable));
    query_code = qc;
    queried = page.items.size();
    auto [sc, all] = co_await f.ddb.async_scan(scan, asio::as_tuple(asio::use_awaitable));
    scan_code = sc;
    scanned = all.items.size();
    auto [bc, found] =
        co_await f.ddb.async_batch_get_item(batch, asio::as_tuple(asio::use_awaitable));
    batch_code = bc;
    batched = found.responses[table].size();
  };
  f.run(reads());
  BOOST_TEST(!query_code);
  BOOST_TEST(queried == 3u);
  BOOST_TEST(!scan_code);
  BOOST_TEST(scanned == 3u);
  BOOST_TEST(!batch_code);
  BOOST_TEST(batched == 1u);
}

BOOST_AUTO_TEST_CASE(a_failed_condition_is_a_code_with_diagnostics_not_an_exception) {
  local_fixture f;
  const std::string table = f.make_table("tokens-condition", false);
  const put_item_request put = new_item(table, "a", 1);
  f.run(f.ddb.put_item(put));
  // Error responses reach the token forms as values: none of what follows raises an exception.
  const std::uint64_t raised_before = raised_exceptions();

  diagnostics diag;
  diag.message = "left over from an earlier call";
  std::optional<error_code> code;
  f.ddb.async_put_item(put, diag, [&](error_code ec, put_item_result) { code = ec; });
  run_until(f.io, [&] { return code.has_value(); });
  BOOST_TEST((*code == errc::conditional_check_failed));
  BOOST_TEST(diag.error_code == "ConditionalCheckFailedException");
  BOOST_TEST(diag.http_status == 400u);
  BOOST_TEST(!diag.request_id.empty());
  BOOST_TEST(diag.message != "left over from an earlier call");

  // A transaction with a failing condition: its reasons, one per action.
  transact_write_items_request transaction;
  transaction.items.push_back(transact_put{.table_name = table,
                                           .item = {{"pk", s("b")}},
                                           .condition_expression = "attribute_not_exists(pk)"});
  transaction.items.push_back(transact_put{.table_name = table,
                                           .item = {{"pk", s("a")}},
                                           .condition_expression = "attribute_not_exists(pk)"});
  auto [transaction_code, unused] = f.run(
      f.ddb.async_transact_write_items(transaction, diag, asio::as_tuple(asio::use_awaitable)));
  BOOST_TEST((transaction_code == errc::transaction_canceled));
  BOOST_TEST(diag.error_code == "TransactionCanceledException");
  BOOST_TEST_REQUIRE(diag.cancellation_reasons.size() == 2u);
  BOOST_TEST(diag.cancellation_reasons[0] == "None");
  BOOST_TEST(diag.cancellation_reasons[1] == "ConditionalCheckFailed");

  // A missing table, through as_tuple(deferred): the code and an empty result.
  const get_item_request missing{.table_name = table + "-missing", .key = {{"pk", s("a")}}};
  auto deferred_get = f.ddb.async_get_item(missing, diag, asio::as_tuple(asio::deferred));
  std::optional<std::tuple<error_code, get_item_result>> missing_result;
  std::move(deferred_get)(
      [&](std::tuple<error_code, get_item_result> result) { missing_result = std::move(result); });
  run_until(f.io, [&] { return missing_result.has_value(); });
  BOOST_TEST((std::get<0>(*missing_result) == errc::resource_not_found));
  BOOST_TEST(!std::get<1>(*missing_result).item);
  BOOST_TEST(diag.error_code == "ResourceNotFoundException");
  BOOST_TEST(diag.cancellation_reasons.empty());

  // A burst of refused conditional writes, and a waiter polling a table that is gone.
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::optional<error_code> refused;
    f.ddb.async_put_item(put, [&](error_code ec, put_item_result) { refused = ec; });
    run_until(f.io, [&] { return refused.has_value(); });
    BOOST_TEST((*refused == errc::conditional_check_failed));
  }
  std::optional<error_code> gone;
  f.ddb.async_wait_until_deleted(table + "-missing", waiter_options{},
                                 [&](error_code ec) { gone = ec; });
  run_until(f.io, [&] { return gone.has_value(); });
  BOOST_TEST(!*gone);
  BOOST_TEST(raised_exceptions() - raised_before == 0u);
}

BOOST_AUTO_TEST_CASE(a_terminal_cancellation_completes_with_operation_aborted) {
  local_fixture f;
  // Waiting for a table that never comes: only the cancellation can end it in time.
  const waiter_options patient{.timeout = std::chrono::seconds(120)};
  asio::cancellation_signal signal;
  std::optional<error_code> code;
  f.ddb.async_wait_until_active(
      local_fixture::unique_name("never-created"), patient,
      asio::bind_cancellation_slot(signal.slot(),
                                   [&](error_code ec, table_description) { code = ec; }));
  asio::steady_timer timer(f.io, std::chrono::milliseconds(300));
  timer.async_wait([&](error_code) { signal.emit(asio::cancellation_type::terminal); });
  const auto started = std::chrono::steady_clock::now();
  run_until(f.io, [&] { return code.has_value(); });
  BOOST_TEST((*code == asio::error::operation_aborted));
  BOOST_TEST((std::chrono::steady_clock::now() - started < std::chrono::seconds(10)));
}

BOOST_AUTO_TEST_SUITE_END()
