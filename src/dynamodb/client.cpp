#include "evstore/dynamodb/client.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "aws/spawn_operation.hpp"
#include "dynamodb/protocol.hpp"
#include "wire.hpp"

namespace evstore::dynamodb {

namespace asio = boost::asio;

client::client(aws::service_client service, client_options options)
    : service_(std::move(service)), options_(options) {}

asio::awaitable<http::response> client::send(std::string_view operation, std::string body) {
  static const aws::error_code_reader reader = read_error_code;
  static const aws::response_check intact = crc32_matches;
  const std::string operation_name(operation);  // the caller's view may not outlive suspension
  const unsigned attempts = std::max(options_.crc32_attempts, 1u);
  for (unsigned attempt = 1;; ++attempt) {
    // Temporaries stay out of the co_await expression: g++ 12 mishandles some there.
    std::string attempt_body;
    if (attempt < attempts) {
      attempt_body = body;
    } else {
      attempt_body = std::move(body);
    }
    http::request request = make_http_request(operation_name, std::move(attempt_body));
    http::response response = co_await service_.send(std::move(request), reader, intact);
    // A body that does not match its checksum says nothing reliable, not even its error code:
    // send again rather than parse it. The service client retries a damaged 2xx itself (one
    // returned here spent its retries); this loop resends damaged error bodies.
    const bool success = response.status >= 200 && response.status < 300;
    if (!crc32_matches(response)) {
      if (attempt < attempts && !success) continue;
      check_crc32(response, operation_name);
    }
    co_return response;
  }
}

namespace {

template <class Result>
using answer = std::variant<Result, service_error>;

// With count_consumed_capacity, item operations ask for the TOTAL of consumed capacity when
// their caller did not ask for any, so the metrics see what every one cost (a few bytes each
// way). The request's JSON object always has members, so the new one goes first, before a comma.
template <class Request>
std::string item_body(const Request& request, bool count) {
  std::string body = to_body(request);
  if (!count || request.return_consumed_capacity != return_consumed_capacity::none ||
      body.size() <= 2 || body.front() != '{')
    return body;
  body.insert(1, R"("ReturnConsumedCapacity":"TOTAL",)");
  return body;
}

double total_units(const std::optional<consumed_capacity>& consumed) {
  return consumed ? consumed->capacity_units : 0.0;
}

double total_units(const std::vector<consumed_capacity>& consumed) {
  double units = 0;
  for (const consumed_capacity& c : consumed) units += c.capacity_units;
  return units;
}

/// The parsed result of a 2xx response, its consumed capacity (item operations) counted; the
/// service_error of another.
template <class Result>
asio::awaitable<answer<Result>> answer_of(asio::awaitable<http::response> sent,
                                          Result (*parse)(std::string_view),
                                          aws::service_metrics& metrics) {
  const http::response response = co_await std::move(sent);
  if (response.status < 200 || response.status >= 300) co_return parse_service_error(response);
  Result result = parse(response.body);
  if constexpr (requires { result.consumed_capacity; })
    metrics.add_consumed_capacity(total_units(result.consumed_capacity));
  co_return result;
}

/// What the awaitable forms return: the result, or the service_error thrown.
template <class Result>
asio::awaitable<Result> value_of(asio::awaitable<answer<Result>> answered) {
  answer<Result> outcome = co_await std::move(answered);
  if (const service_error* error = std::get_if<service_error>(&outcome)) throw *error;
  co_return std::get<Result>(std::move(outcome));
}

}  // namespace

asio::awaitable<create_table_result> client::create_table(const create_table_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<create_table_result>> client::answer_to(
    const create_table_request& request) {
  return answer_of(send(request.operation, to_body(request)), parse_create_table_result,
                   service_.metrics());
}

asio::awaitable<describe_table_result> client::describe_table(
    const describe_table_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<describe_table_result>> client::answer_to(
    const describe_table_request& request) {
  return answer_of(send(request.operation, to_body(request)), parse_describe_table_result,
                   service_.metrics());
}

asio::awaitable<update_table_result> client::update_table(const update_table_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<update_table_result>> client::answer_to(
    const update_table_request& request) {
  return answer_of(send(request.operation, to_body(request)), parse_update_table_result,
                   service_.metrics());
}

asio::awaitable<delete_table_result> client::delete_table(const delete_table_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<delete_table_result>> client::answer_to(
    const delete_table_request& request) {
  return answer_of(send(request.operation, to_body(request)), parse_delete_table_result,
                   service_.metrics());
}

asio::awaitable<put_item_result> client::put_item(const put_item_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<put_item_result>> client::answer_to(
    const put_item_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_put_item_result, service_.metrics());
}

asio::awaitable<get_item_result> client::get_item(const get_item_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<get_item_result>> client::answer_to(
    const get_item_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_get_item_result, service_.metrics());
}

asio::awaitable<update_item_result> client::update_item(const update_item_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<update_item_result>> client::answer_to(
    const update_item_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_update_item_result, service_.metrics());
}

asio::awaitable<delete_item_result> client::delete_item(const delete_item_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<delete_item_result>> client::answer_to(
    const delete_item_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_delete_item_result, service_.metrics());
}

asio::awaitable<query_result> client::query(const query_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<query_result>> client::answer_to(const query_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_query_result, service_.metrics());
}

asio::awaitable<scan_result> client::scan(const scan_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<scan_result>> client::answer_to(const scan_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_scan_result, service_.metrics());
}

asio::awaitable<batch_get_item_result> client::batch_get_item(
    const batch_get_item_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<client::answer<batch_get_item_result>> client::answer_to(
    const batch_get_item_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_batch_get_item_result, service_.metrics());
}

asio::awaitable<transact_write_items_result> client::transact_write_items(
    const transact_write_items_request& request) {
  return value_of(answer_to(request));
}

asio::awaitable<transact_write_items_answer> client::try_transact_write_items(
    const transact_write_items_request& request) {
  return answer_of(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                   parse_transact_write_items_result, service_.metrics());
}

namespace {

asio::awaitable<batch_get_item_remainder> read_items(asio::awaitable<http::response> sent,
                                                     std::string table,
                                                     batch_get_item_visitor& visitor,
                                                     aws::service_metrics& metrics) {
  const http::response response = co_await std::move(sent);
  if (response.status < 200 || response.status >= 300) throw parse_service_error(response);
  batch_get_item_remainder remainder = read_batch_get_item_result(response.body, table, visitor);
  metrics.add_consumed_capacity(remainder.consumed_capacity_units);
  co_return remainder;
}

}  // namespace

asio::awaitable<batch_get_item_remainder> client::batch_get_item(
    const batch_get_item_request& request, batch_get_item_visitor& visitor) {
  if (request.request_items.size() != 1)
    detail::invalid_request(request.operation, "a visitor reads the items of exactly one table");
  return read_items(send(request.operation, item_body(request, options_.count_consumed_capacity)),
                    request.request_items.begin()->first, visitor, service_.metrics());
}

namespace {

using steady = std::chrono::steady_clock;

[[noreturn]] void waiter_error(errc code, std::string_view table_name, std::string_view what) {
  std::string message = "waiting for DynamoDB table ";
  message += table_name;
  message += ": ";
  message += what;
  throw boost::system::system_error(make_error_code(code), message);
}

// Sleeps before the next poll; throws waiter_timeout when that poll would come after the
// deadline.
asio::awaitable<void> pause(const waiter_options& options, unsigned polls_made,
                            steady::time_point deadline, std::string_view table_name,
                            std::string_view last_state) {
  const auto delay = waiter_delay(options, polls_made);
  if (steady::now() + delay > deadline) {
    std::string what = "still ";
    what += last_state;
    what += " after ";
    what += std::to_string(options.timeout.count());
    what += " ms and ";
    what += std::to_string(polls_made);
    what += " polls; raise waiter_options::timeout if the table needs longer";
    waiter_error(errc::waiter_timeout, table_name, what);
  }
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

std::string describe_state(const table_description& table) {
  std::string state = table.table_status;
  for (const auto& gsi : table.global_secondary_indexes) {
    if (gsi.index_status != "ACTIVE") state += ", index " + gsi.index_name + " " + gsi.index_status;
  }
  return state;
}

/// A server error that outlived the request's retries while the table changes state (DynamoDB
/// Local answers InternalFailure while a table is being deleted): the waiter polls on until its
/// deadline instead of failing.
bool still_settling(const service_error& e) {
  return e.http_status() >= 500;
}
}  // namespace

asio::awaitable<table_description> client::wait_until_active(std::string table_name) {
  return wait_until_active(std::move(table_name), waiter_options{});
}

asio::awaitable<table_description> client::wait_until_active(std::string table_name,
                                                             waiter_options options) {
  const auto deadline = steady::now() + options.timeout;
  for (unsigned polls = 1;; ++polls) {
    std::string state = "not found";
    const describe_table_request request{table_name};
    answer<describe_table_result> described = co_await answer_to(request);
    if (const service_error* error = std::get_if<service_error>(&described)) {
      if (still_settling(*error)) {
        state = error->code_name();
      } else if (error->code() != errc::resource_not_found) {
        throw *error;
      }
    } else {
      table_description& table = std::get<describe_table_result>(described).table;
      switch (table_active_state(table)) {
        case waiter_state::done:
          co_return std::move(table);
        case waiter_state::failed:
          waiter_error(errc::waiter_failed, table_name,
                       "it is " + table.table_status + " and will not become ACTIVE");
        case waiter_state::retry:
          state = describe_state(table);
          break;
      }
    }
    co_await pause(options, polls, deadline, table_name, state);
  }
}

asio::awaitable<void> client::wait_until_deleted(std::string table_name) {
  return wait_until_deleted(std::move(table_name), waiter_options{});
}

asio::awaitable<void> client::wait_until_deleted(std::string table_name, waiter_options options) {
  const auto deadline = steady::now() + options.timeout;
  for (unsigned polls = 1;; ++polls) {
    std::string state;
    const describe_table_request request{table_name};
    answer<describe_table_result> described = co_await answer_to(request);
    if (const service_error* error = std::get_if<service_error>(&described)) {
      if (error->code() == errc::resource_not_found) co_return;
      if (!still_settling(*error)) throw *error;
      state = error->code_name();
    } else {
      state = describe_state(std::get<describe_table_result>(described).table);
    }
    co_await pause(options, polls, deadline, table_name, state);
  }
}

template <class T>
void client::start_answer(asio::awaitable<answer<T>> operation, aws::diagnostics* diagnostics,
                          aws::detail::completion_handler<T> handler) {
  if (diagnostics) diagnostics->clear();
  aws::detail::spawn_operation<T>(
      service_.get_executor(), std::move(operation), std::move(handler),
      [diagnostics](std::exception_ptr failure) {
        return dynamodb::diagnose(failure, diagnostics);
      },
      [diagnostics](answer<T> outcome) {
        if (const service_error* error = std::get_if<service_error>(&outcome))
          return std::pair{diagnose(*error, diagnostics), T{}};
        return std::pair{boost::system::error_code{}, std::get<T>(std::move(outcome))};
      });
}

template void client::start_answer(asio::awaitable<client::answer<create_table_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<create_table_result>);
template void client::start_answer(asio::awaitable<client::answer<describe_table_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<describe_table_result>);
template void client::start_answer(asio::awaitable<client::answer<update_table_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<update_table_result>);
template void client::start_answer(asio::awaitable<client::answer<delete_table_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<delete_table_result>);
template void client::start_answer(asio::awaitable<client::answer<put_item_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<put_item_result>);
template void client::start_answer(asio::awaitable<client::answer<get_item_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<get_item_result>);
template void client::start_answer(asio::awaitable<client::answer<update_item_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<update_item_result>);
template void client::start_answer(asio::awaitable<client::answer<delete_item_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<delete_item_result>);
// query_result and scan_result are both item_page.
template void client::start_answer(asio::awaitable<client::answer<item_page>>, aws::diagnostics*,
                                   aws::detail::completion_handler<item_page>);
template void client::start_answer(asio::awaitable<client::answer<batch_get_item_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<batch_get_item_result>);
template void client::start_answer(asio::awaitable<client::answer<transact_write_items_result>>,
                                   aws::diagnostics*,
                                   aws::detail::completion_handler<transact_write_items_result>);

// The waiters, whose failures are exceptions.
template <class T>
void client::start(asio::awaitable<T> operation, aws::diagnostics* diagnostics,
                   aws::detail::completion_handler<T> handler) {
  if (diagnostics) diagnostics->clear();
  aws::detail::spawn_operation(service_.get_executor(), std::move(operation), std::move(handler),
                               [diagnostics](std::exception_ptr failure) {
                                 return dynamodb::diagnose(failure, diagnostics);
                               });
}

template void client::start(asio::awaitable<table_description>, aws::diagnostics*,
                            aws::detail::completion_handler<table_description>);
template void client::start(asio::awaitable<void>, aws::diagnostics*,
                            aws::detail::completion_handler<void>);

}  // namespace evstore::dynamodb
