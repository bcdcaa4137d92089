// Every operation, its error paths and the waiters, against DynamoDB Local.
#include <boost/test/unit_test.hpp>

#include <set>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "local_fixture.hpp"

BOOST_AUTO_TEST_SUITE(dynamodb_local)

namespace ddb = evstore::dynamodb;
namespace asio = boost::asio;
using asio::awaitable;
using ddb::errc;
using ddb::test::expect_service_error;
using ddb::test::n;
using ddb::test::s;
using namespace std::chrono_literals;

BOOST_FIXTURE_TEST_SUITE(dynamodb_local, ddb::test::local_fixture)

BOOST_AUTO_TEST_CASE(table_lifecycle_gsi_and_waiters) {
  const std::string name = make_table("tables", true);
  auto described = run(ddb.describe_table({name}));
  BOOST_TEST(described.table.table_status == "ACTIVE");
  BOOST_TEST(described.table.key_schema.size() == 2u);

  // Creating it again: ResourceInUseException.
  expect_service_error(*this,
                       ddb.create_table({.table_name = name,
                                         .attribute_definitions = {{"pk", ddb::scalar_type::s}},
                                         .key_schema = {{"pk", ddb::key_type::hash}}}),
                       errc::resource_in_use);

  // A GSI added by UpdateTable is CREATING first; the waiter returns once it is ACTIVE.
  run(ddb.put_item(
      {.table_name = name, .item = {{"pk", s("a")}, {"sk", n(1)}, {"kind", s("created")}}}));
  const auto updated = run(ddb.update_table(
      {.table_name = name,
       .attribute_definitions = {{"kind", ddb::scalar_type::s}},
       .create_global_secondary_indexes = {{.index_name = "by_kind",
                                            .key_schema = {{"kind", ddb::key_type::hash}},
                                            .projection = {ddb::projection_type::keys_only}}}}));
  BOOST_TEST_REQUIRE(updated.table.global_secondary_indexes.size() == 1u);
  BOOST_TEST(updated.table.global_secondary_indexes[0].index_status != "ACTIVE");
  BOOST_TEST(!updated.table.fully_active());
  const auto active = run(ddb.wait_until_active(name, {.timeout = 10s}));
  BOOST_TEST(active.fully_active());
  BOOST_TEST(active.global_secondary_indexes.at(0).index_status == "ACTIVE");
  const auto by_kind = run(ddb.query({.table_name = name,
                                      .index_name = "by_kind",
                                      .key_condition_expression = "kind = :k",
                                      .values = {{":k", s("created")}}}));
  BOOST_TEST(by_kind.items.size() == 1u);  // backfilled

  // wait_until_deleted on a table that stays: a timeout naming the table and its state.
  try {
    run(ddb.wait_until_deleted(name, {.initial_delay = 10ms, .timeout = 150ms}));
    BOOST_FAIL("no timeout");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::waiter_timeout));
    BOOST_TEST(
        std::string(e.what()).find(name + ": still ACTIVE after 150 ms") != std::string::npos,
        e.what());
  }

  const auto deleted = run(ddb.delete_table({name}));
  BOOST_TEST(deleted.table.table_name == name);
  run(ddb.wait_until_deleted(name, {.timeout = 10s}));
  expect_service_error(*this, ddb.describe_table({name}), errc::resource_not_found);
  expect_service_error(*this, ddb.delete_table({name}), errc::resource_not_found);

  // wait_until_active on a table that never comes: a timeout, not an endless wait.
  const auto start = std::chrono::steady_clock::now();
  try {
    run(ddb.wait_until_active(name, {.initial_delay = 10ms, .timeout = 200ms}));
    BOOST_FAIL("no timeout");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::waiter_timeout));
    BOOST_TEST(std::string(e.what()).find("still not found") != std::string::npos, e.what());
  }
  BOOST_TEST((std::chrono::steady_clock::now() - start < 2s));
}

BOOST_AUTO_TEST_CASE(put_get_update_delete) {
  const std::string name = make_table("items", true);
  const ddb::item item{
      {"pk", s("stream")},
      {"sk", n(1)},
      {"big", ddb::attribute_value::number("-1234567890.1234567890123456789")},
      {"bin", ddb::attribute_value::binary(std::string_view("\0\xFF\x80", 3))},
      {"ss", ddb::attribute_value::string_set({"a", "b"})},
      {"ns", ddb::attribute_value::number_set({"1", "2"})},
      {"bs", ddb::attribute_value::binary_set({{1}, {2, 3}})},
      {"m", ddb::attribute_value::map({{"l", ddb::attribute_value::list(
                                                 {ddb::attribute_value::null(),
                                                  ddb::attribute_value::boolean(true), s("")})}})}};
  const auto put =
      run(ddb.put_item({.table_name = name,
                        .item = item,
                        .condition_expression = "attribute_not_exists(pk)",
                        .return_consumed_capacity = ddb::return_consumed_capacity::total}));
  BOOST_TEST_REQUIRE(put.consumed_capacity.has_value());
  BOOST_TEST(put.consumed_capacity->table_name == name);
  BOOST_TEST(put.consumed_capacity->capacity_units > 0);

  const ddb::item key{{"pk", s("stream")}, {"sk", n(1)}};
  const auto got =
      run(ddb.get_item({.table_name = name,
                        .key = key,
                        .consistent_read = true,
                        .return_consumed_capacity = ddb::return_consumed_capacity::indexes}));
  BOOST_TEST_REQUIRE(got.item.has_value());
  BOOST_TEST((*got.item == item));
  BOOST_TEST(got.consumed_capacity.value().table.has_value());

  // The same put again fails its condition.
  const auto failed = expect_service_error(
      *this,
      ddb.put_item(
          {.table_name = name, .item = item, .condition_expression = "attribute_not_exists(pk)"}),
      errc::conditional_check_failed);
  BOOST_TEST(failed.code_name() == "ConditionalCheckFailedException");
  BOOST_TEST(failed.http_status() == 400u);
  BOOST_TEST(!failed.request_id().empty());
  BOOST_TEST(!failed.retryable());
  BOOST_TEST(!failed.old_item().has_value());
  const auto with_item = expect_service_error(
      *this,
      ddb.put_item({.table_name = name,
                    .item = item,
                    .condition_expression = "attribute_not_exists(pk)",
                    .return_values_on_condition_check_failure =
                        ddb::return_values_on_condition_check_failure::all_old}),
      errc::conditional_check_failed);
  BOOST_TEST_REQUIRE(with_item.old_item().has_value());
  BOOST_TEST((*with_item.old_item() == item));

  const auto updated =
      run(ddb.update_item({.table_name = name,
                           .key = key,
                           .update_expression = "SET #v = if_not_exists(#v, :z) + :one",
                           .condition_expression = "attribute_exists(pk)",
                           .names = {{"#v", "version"}},
                           .values = {{":z", n(0)}, {":one", n(1)}},
                           .return_values = ddb::return_values::updated_new}));
  BOOST_TEST_REQUIRE(updated.attributes.has_value());
  BOOST_TEST(updated.attributes->size() == 1u);
  BOOST_TEST(updated.attributes->at("version").as_int64() == 1);

  expect_service_error(*this,
                       ddb.update_item({.table_name = name,
                                        .key = key,
                                        .update_expression = "SET version = :two",
                                        .condition_expression = "version = :zero",
                                        .values = {{":two", n(2)}, {":zero", n(0)}}}),
                       errc::conditional_check_failed);

  const auto projected = run(
      ddb.get_item({.table_name = name, .key = key, .projection_expression = "version, m.l[1]"}));
  BOOST_TEST_REQUIRE(projected.item.has_value());
  BOOST_TEST(projected.item->at("m").as_map().at("l").as_list().at(0).as_bool());

  const auto deleted = run(ddb.delete_item({.table_name = name,
                                            .key = key,
                                            .condition_expression = "version = :one",
                                            .values = {{":one", n(1)}},
                                            .return_values = ddb::return_values::all_old}));
  BOOST_TEST_REQUIRE(deleted.attributes.has_value());
  BOOST_TEST(deleted.attributes->at("version").as_int64() == 1);
  BOOST_TEST(!run(ddb.get_item({.table_name = name, .key = key, .consistent_read = true}))
                  .item.has_value());
  expect_service_error(
      *this,
      ddb.delete_item(
          {.table_name = name, .key = key, .condition_expression = "attribute_exists(pk)"}),
      errc::conditional_check_failed);
}

BOOST_AUTO_TEST_CASE(validation_errors) {
  const std::string name = make_table("validation", true);
  // Key of the wrong type.
  auto e = expect_service_error(
      *this, ddb.get_item({.table_name = name, .key = {{"pk", n(1)}, {"sk", n(1)}}}),
      errc::validation_error);
  BOOST_TEST(!e.service_message().empty());
  // An empty string set.
  expect_service_error(
      *this,
      ddb.put_item(
          {.table_name = name,
           .item = {{"pk", s("a")}, {"sk", n(1)}, {"ss", ddb::attribute_value::string_set({})}}}),
      errc::validation_error);
  // An expression value that is never used.
  expect_service_error(*this,
                       ddb.put_item({.table_name = name,
                                     .item = {{"pk", s("a")}, {"sk", n(1)}},
                                     .values = {{":unused", n(1)}}}),
                       errc::validation_error);
  // Missing table.
  expect_service_error(
      *this, ddb.get_item({.table_name = name + "-missing", .key = {{"pk", s("a")}, {"sk", n(1)}}}),
      errc::resource_not_found);
}

BOOST_AUTO_TEST_CASE(item_size_limit) {
  const std::string name = make_table("size", false);
  // Size = attribute names + values: "pk" + "x" + "d" = 4 bytes, the rest is the binary value.
  const auto item_of = [](std::size_t total) {
    return ddb::item{{"pk", s("x")},
                     {"d", ddb::attribute_value::binary(ddb::bytes(total - 4, 0x5A))}};
  };
  run(ddb.put_item({.table_name = name, .item = item_of(409'600)}));
  const auto got =
      run(ddb.get_item({.table_name = name, .key = {{"pk", s("x")}}, .consistent_read = true}));
  BOOST_TEST(got.item.value().at("d").as_binary().size() == 409'596u);
  const auto e = expect_service_error(
      *this, ddb.put_item({.table_name = name, .item = item_of(409'601)}), errc::validation_error);
  BOOST_TEST(e.service_message().find("size") != std::string::npos, e.service_message());
}

BOOST_AUTO_TEST_CASE(query_pages_index_and_filters) {
  const std::string name =
      make_table("query", true,
                 {{.index_name = "by_kind",
                   .key_schema = {{"kind", ddb::key_type::hash}, {"sk", ddb::key_type::range}},
                   .projection = {ddb::projection_type::all}}},
                 {{"kind", ddb::scalar_type::s}});
  for (int i = 1; i <= 7; ++i) {
    run(ddb.put_item({.table_name = name,
                      .item = {{"pk", s("stream")},
                               {"sk", n(i)},
                               {"kind", s(i % 2 ? "odd" : "even")},
                               {"payload", s(std::string(10, 'p'))}}}));
  }

  // Pages of 3: 3 + 3 + 1, following LastEvaluatedKey.
  std::vector<std::int64_t> seen;
  std::optional<ddb::item> start;
  int pages = 0;
  do {
    const auto page =
        run(ddb.query({.table_name = name,
                       .key_condition_expression = "pk = :pk",
                       .values = {{":pk", s("stream")}},
                       .limit = 3,
                       .exclusive_start_key = start,
                       .consistent_read = true,
                       .return_consumed_capacity = ddb::return_consumed_capacity::total}));
    for (const auto& item : page.items) seen.push_back(item.at("sk").as_int64());
    BOOST_TEST(page.consumed_capacity.has_value());
    start = page.last_evaluated_key;
    ++pages;
  } while (start && pages < 10);
  BOOST_TEST((seen == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7}));
  BOOST_TEST(pages >= 3);

  // Backwards, filtered, projected, with a range condition.
  const auto filtered = run(
      ddb.query({.table_name = name,
                 .key_condition_expression = "pk = :pk AND sk BETWEEN :a AND :b",
                 .filter_expression = "#k = :k",
                 .projection_expression = "sk, #k",
                 .names = {{"#k", "kind"}},
                 .values = {{":pk", s("stream")}, {":a", n(2)}, {":b", n(6)}, {":k", s("even")}},
                 .scan_index_forward = false}));
  BOOST_TEST(filtered.count == 3);
  BOOST_TEST(filtered.scanned_count == 5);
  BOOST_TEST_REQUIRE(filtered.items.size() == 3u);
  BOOST_TEST(filtered.items[0].at("sk").as_int64() == 6);
  BOOST_TEST(filtered.items[2].at("sk").as_int64() == 2);
  BOOST_TEST(!filtered.items[0].contains("payload"));

  const auto odd = run(ddb.query({.table_name = name,
                                  .index_name = "by_kind",
                                  .key_condition_expression = "kind = :k AND sk > :from",
                                  .values = {{":k", s("odd")}, {":from", n(1)}}}));
  BOOST_TEST(odd.items.size() == 3u);  // 3, 5, 7

  // ConsistentRead is refused on a global secondary index.
  expect_service_error(*this,
                       ddb.query({.table_name = name,
                                  .index_name = "by_kind",
                                  .key_condition_expression = "kind = :k",
                                  .values = {{":k", s("odd")}},
                                  .consistent_read = true}),
                       errc::validation_error);
}

BOOST_AUTO_TEST_CASE(batch_get_item_and_unprocessed_keys) {
  const std::string name = make_table("batch", true);
  // 60 items of ~350 KB: 21 MB, more than one BatchGetItem response may carry (16 MB).
  constexpr int count = 60;
  const std::string payload(350'000, 'q');
  const auto put = [&](int k) {
    return ddb.put_item(
        {.table_name = name, .item = {{"pk", s("big")}, {"sk", n(k)}, {"payload", s(payload)}}});
  };
  for (int i = 0; i < count; i += 4) {
    using namespace asio::experimental::awaitable_operators;
    run(put(i) && put(i + 1) && put(i + 2) && put(i + 3));
  }

  ddb::batch_get_item_request request;
  for (int i = 0; i < count; ++i) {
    request.request_items[name].keys.push_back({{"pk", s("big")}, {"sk", n(i)}});
  }
  request.request_items[name].consistent_read = true;
  request.return_consumed_capacity = ddb::return_consumed_capacity::total;
  const auto first = run(ddb.batch_get_item(request));
  const std::size_t first_count = first.responses.count(name) ? first.responses.at(name).size() : 0;
  BOOST_TEST_MESSAGE("first BatchGetItem response: " << first_count << " items");
  BOOST_TEST(first_count > 0u);
  BOOST_TEST(first_count < static_cast<std::size_t>(count));
  BOOST_TEST_REQUIRE(first.unprocessed_keys.count(name) == 1u);
  const auto& rest = first.unprocessed_keys.at(name);
  BOOST_TEST(first_count + rest.keys.size() == static_cast<std::size_t>(count));
  BOOST_TEST(rest.consistent_read);
  BOOST_TEST(first.consumed_capacity.size() == 1u);

  // Asking again for what was unprocessed reads everything, in a bounded number of rounds.
  std::set<std::int64_t> read;
  for (const auto& item : first.responses.at(name)) read.insert(item.at("sk").as_int64());
  ddb::batch_get_item_request again{.request_items = first.unprocessed_keys};
  for (int round = 0; round < 5 && !again.request_items.empty(); ++round) {
    auto result = run(ddb.batch_get_item(again));
    for (const auto& item : result.responses[name]) {
      BOOST_TEST(item.at("payload").as_string().size() == payload.size());
      read.insert(item.at("sk").as_int64());
    }
    again.request_items = std::move(result.unprocessed_keys);
  }
  BOOST_TEST(read.size() == static_cast<std::size_t>(count));

  // Missing keys are simply absent; a missing table is an error.
  const auto sparse =
      run(ddb.batch_get_item({.request_items = {{name,
                                                 {.keys = {{{"pk", s("big")}, {"sk", n(0)}},
                                                           {{"pk", s("none")}, {"sk", n(0)}}},
                                                  .projection_expression = "sk"}}}}));
  BOOST_TEST(sparse.responses.at(name).size() == 1u);
  BOOST_TEST(sparse.responses.at(name)[0].size() == 1u);
  expect_service_error(
      *this,
      ddb.batch_get_item(
          {.request_items = {{name + "-missing", {.keys = {{{"pk", s("a")}, {"sk", n(0)}}}}}}}),
      errc::resource_not_found);
  // Over 100 keys: refused before sending.
  for (int i = 0; i < 41; ++i)
    request.request_items[name].keys.push_back({{"pk", s("x")}, {"sk", n(i)}});
  try {
    run(ddb.batch_get_item(request));
    BOOST_FAIL("no error");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == ddb::make_error_code(errc::invalid_request), e.what());
  }
}

BOOST_AUTO_TEST_CASE(transact_write_items) {
  const std::string name = make_table("transact", true);
  const auto key = [](std::string pk) { return ddb::item{{"pk", s(std::move(pk))}, {"sk", n(0)}}; };
  run(ddb.put_item(
      {.table_name = name, .item = {{"pk", s("head")}, {"sk", n(0)}, {"version", n(1)}}}));
  run(ddb.put_item({.table_name = name, .item = {{"pk", s("old")}, {"sk", n(0)}}}));
  run(ddb.put_item({.table_name = name, .item = {{"pk", s("guard")}, {"sk", n(0)}}}));

  const std::string token = ddb::test::local_fixture::unique_name("token").substr(0, 36);
  const ddb::transact_write_items_request request{
      .items = {ddb::transact_put{.table_name = name,
                                  .item = {{"pk", s("event-1")}, {"sk", n(0)}},
                                  .condition_expression = "attribute_not_exists(pk)"},
                ddb::transact_update{.table_name = name,
                                     .key = key("head"),
                                     .update_expression = "SET version = :next",
                                     .condition_expression = "version = :expected",
                                     .values = {{":next", n(2)}, {":expected", n(1)}}},
                ddb::transact_delete{.table_name = name,
                                     .key = key("old"),
                                     .condition_expression = "attribute_exists(pk)"},
                ddb::transact_condition_check{.table_name = name,
                                              .key = key("guard"),
                                              .condition_expression = "attribute_exists(pk)"}},
      .client_request_token = token,
      .return_consumed_capacity = ddb::return_consumed_capacity::total};
  const auto done = run(ddb.transact_write_items(request));
  BOOST_TEST(done.consumed_capacity.size() == 1u);
  const auto head =
      run(ddb.get_item({.table_name = name, .key = key("head"), .consistent_read = true}));
  BOOST_TEST(head.item.value().at("version").as_int64() == 2);
  BOOST_TEST(!run(ddb.get_item({.table_name = name, .key = key("old"), .consistent_read = true}))
                  .item.has_value());

  // The same token again: DynamoDB answers success without applying it twice (the update's
  // condition would now fail).
  run(ddb.transact_write_items(request));
  // The same token with other parameters is refused.
  auto changed = request;
  changed.items.pop_back();
  expect_service_error(*this, ddb.transact_write_items(changed),
                       errc::idempotent_parameter_mismatch);

  // A conflict: version 1 expected but 2 stored; the event put itself would pass.
  const auto cancelled = expect_service_error(
      *this,
      ddb.transact_write_items(
          {.items = {ddb::transact_put{.table_name = name,
                                       .item = {{"pk", s("event-2")}, {"sk", n(0)}},
                                       .condition_expression = "attribute_not_exists(pk)"},
                     ddb::transact_update{
                         .table_name = name,
                         .key = key("head"),
                         .update_expression = "SET version = :next",
                         .condition_expression = "version = :expected",
                         .values = {{":next", n(2)}, {":expected", n(1)}},
                         .return_values_on_condition_check_failure =
                             ddb::return_values_on_condition_check_failure::all_old}}}),
      errc::transaction_canceled);
  BOOST_TEST(!cancelled.retryable());
  const auto& reasons = cancelled.cancellation_reasons();
  BOOST_TEST_REQUIRE(reasons.size() == 2u);
  BOOST_TEST(reasons[0].code == "None");
  BOOST_TEST(reasons[1].code == "ConditionalCheckFailed");
  BOOST_TEST_REQUIRE(reasons[1].item.has_value());
  BOOST_TEST(reasons[1].item->at("version").as_int64() == 2);
  BOOST_TEST(
      !run(ddb.get_item({.table_name = name, .key = key("event-2"), .consistent_read = true}))
           .item.has_value());  // all or nothing

  // Two actions on one item: a validation error.
  expect_service_error(
      *this,
      ddb.transact_write_items(
          {.items = {ddb::transact_put{.table_name = name, .item = key("twice")},
                     ddb::transact_delete{.table_name = name, .key = key("twice")}}}),
      errc::validation_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
