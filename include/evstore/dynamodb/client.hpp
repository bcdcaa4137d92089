#pragma once
// The DynamoDB client: each operation builds its body, sends it through aws::service_client
// (signing, connection pool, retries), checks x-amz-crc32 and parses the result.
//
//   dynamodb::client ddb{aws::service_client{ex, cfg.endpoint_for("dynamodb"), cfg.region,
//                                             "dynamodb", creds}};
//   const dynamodb::get_item_request request{.table_name = "events", .key = key};
//   dynamodb::get_item_result got = co_await ddb.get_item(request);
//
//   ddb.async_get_item(request, [](boost::system::error_code ec, dynamodb::get_item_result got) {
//     ...  // ec == dynamodb::errc::resource_not_found, ...; nothing thrown
//   });
//
// Failures of the awaitable forms throw: service_error for an error response (its code() an errc,
// its cancellation_reasons() for a cancelled transaction), system_error(errc::invalid_request) for
// a request refused before sending, errc::malformed_response / errc::invalid_attribute for a
// response not as expected, errc::crc32_mismatch when every attempt came back corrupted, and
// the service client's transport and credential errors.
//
// g++ 12 destroys aggregate temporaries created inside a co_await expression twice (a double
// free): never write `co_await ddb.get_item({.table_name = ...})` in a coroutine. Name the
// request first (`const get_item_request request{...}; co_await ddb.get_item(request);`); the
// operations read it before returning, so it need not outlive the call.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "evstore/aws/detail/completion_handler.hpp"
#include "evstore/aws/diagnostics.hpp"
#include "evstore/aws/service_client.hpp"
#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/dynamodb/items.hpp"
#include "evstore/dynamodb/query.hpp"
#include "evstore/dynamodb/scan.hpp"
#include "evstore/dynamodb/tables.hpp"
#include "evstore/dynamodb/transact_write_items.hpp"
#include "evstore/dynamodb/waiter.hpp"

namespace evstore::dynamodb {

/// What try_transact_write_items answers: the result, or the service's error response.
using transact_write_items_answer = std::variant<transact_write_items_result, service_error>;

struct client_options {
  /// Sends of one request whose error response fails its x-amz-crc32 check, before giving up
  /// with errc::crc32_mismatch. A damaged 2xx is retried by the service client (its retries
  /// and time bounds), then fails at once.
  unsigned crc32_attempts = 3;
  /// Ask item operations that leave return_consumed_capacity at none for its TOTAL, and add
  /// every ConsumedCapacity answered to the service client's metrics (the repo turns it on).
  bool count_consumed_capacity = false;
};

/// Safe for concurrent use as the service client is. Requests are read (their bodies built)
/// when an operation is called, so they need not outlive the returned awaitable.
class client {
 public:
  using executor_type = aws::service_client::executor_type;

  explicit client(aws::service_client service, client_options options = {});

  boost::asio::awaitable<create_table_result> create_table(const create_table_request& request);
  boost::asio::awaitable<describe_table_result> describe_table(
      const describe_table_request& request);
  boost::asio::awaitable<update_table_result> update_table(const update_table_request& request);
  boost::asio::awaitable<delete_table_result> delete_table(const delete_table_request& request);

  boost::asio::awaitable<put_item_result> put_item(const put_item_request& request);
  boost::asio::awaitable<get_item_result> get_item(const get_item_request& request);
  boost::asio::awaitable<update_item_result> update_item(const update_item_request& request);
  boost::asio::awaitable<delete_item_result> delete_item(const delete_item_request& request);

  boost::asio::awaitable<query_result> query(const query_request& request);
  boost::asio::awaitable<scan_result> scan(const scan_request& request);
  boost::asio::awaitable<batch_get_item_result> batch_get_item(
      const batch_get_item_request& request);
  /// BatchGetItem of one table's keys, the items handed to `visitor` while the response is read
  /// (read_batch_get_item_result), with no item maps in between; what the response holds besides
  /// them is returned. Throws errc::invalid_request for a request naming more than one table.
  /// `visitor` must outlive the returned awaitable.
  boost::asio::awaitable<batch_get_item_remainder> batch_get_item(
      const batch_get_item_request& request, batch_get_item_visitor& visitor);
  boost::asio::awaitable<transact_write_items_result> transact_write_items(
      const transact_write_items_request& request);
  /// transact_write_items with an error response as a value instead of an exception: a
  /// transaction cancelled by its conditions (service_error with errc::transaction_canceled and
  /// its cancellation_reasons()) is an expected outcome of conditional writes, and a burst of
  /// them should not be a burst of throws. Transport failures, a request refused before sending,
  /// a response failing its checksum on every attempt and an unreadable body still throw.
  boost::asio::awaitable<transact_write_items_answer> try_transact_write_items(
      const transact_write_items_request& request);

  /// Polls DescribeTable until the table and all its global secondary indexes are ACTIVE and
  /// returns that description. Throws errc::waiter_timeout after options.timeout,
  /// errc::waiter_failed when the table is being deleted (or otherwise cannot become ACTIVE),
  /// and DescribeTable's errors except ResourceNotFoundException (a table just created may not
  /// be visible yet).
  boost::asio::awaitable<table_description> wait_until_active(std::string table_name);
  boost::asio::awaitable<table_description> wait_until_active(std::string table_name,
                                                              waiter_options options);
  /// Polls DescribeTable until it answers ResourceNotFoundException. Throws
  /// errc::waiter_timeout after options.timeout.
  boost::asio::awaitable<void> wait_until_deleted(std::string table_name);
  boost::asio::awaitable<void> wait_until_deleted(std::string table_name, waiter_options options);

  /// The executor the client runs its work on (the service client's).
  executor_type get_executor() const noexcept { return service_.get_executor(); }

  // The token forms: each operation above as `async_<name>(arguments..., token)`, completing
  // with void(boost::system::error_code, <result>) (void(error_code) for wait_until_deleted)
  // instead of throwing. Service errors come as this layer's codes (errc, from the error
  // response's `__type`: conditional_check_failed, transaction_canceled, resource_not_found, ...;
  // waiter_timeout, waiter_failed), held as values from the response on, so an error response
  // raises no exception anywhere; other failures as the codes the awaitable forms throw
  // (http::errc, aws::errc, Asio's). The overloads taking aws::diagnostics fill it with the
  // service's code name, message, request id, status and a transaction's cancellation reasons.
  // The work runs on get_executor(); the handler on its associated executor (default: the
  // client's). A terminal cancellation through the token's cancellation slot ends the
  // operation with asio::error::operation_aborted (a write already sent may have been applied).
  // The client must outlive the operation; the request is read before the call returns.
  template <class CompletionToken>
  auto async_create_table(const create_table_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_create_table(const create_table_request& request, aws::diagnostics& diagnostics,
                          CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_describe_table(const describe_table_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_describe_table(const describe_table_request& request, aws::diagnostics& diagnostics,
                            CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_update_table(const update_table_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_update_table(const update_table_request& request, aws::diagnostics& diagnostics,
                          CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_table(const delete_table_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_delete_table(const delete_table_request& request, aws::diagnostics& diagnostics,
                          CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_put_item(const put_item_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_put_item(const put_item_request& request, aws::diagnostics& diagnostics,
                      CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_get_item(const get_item_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_get_item(const get_item_request& request, aws::diagnostics& diagnostics,
                      CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_update_item(const update_item_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_update_item(const update_item_request& request, aws::diagnostics& diagnostics,
                         CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_delete_item(const delete_item_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_delete_item(const delete_item_request& request, aws::diagnostics& diagnostics,
                         CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_query(const query_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_query(const query_request& request, aws::diagnostics& diagnostics,
                   CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_scan(const scan_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_scan(const scan_request& request, aws::diagnostics& diagnostics,
                  CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_batch_get_item(const batch_get_item_request& request, CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_batch_get_item(const batch_get_item_request& request, aws::diagnostics& diagnostics,
                            CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_transact_write_items(const transact_write_items_request& request,
                                  CompletionToken&& token) {
    return async_answer(answer_to(request), nullptr, std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_transact_write_items(const transact_write_items_request& request,
                                  aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_answer(answer_to(request), &diagnostics, std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_wait_until_active(std::string table_name, CompletionToken&& token) {
    return async_run(wait_until_active(std::move(table_name), waiter_options{}), nullptr,
                     std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_wait_until_active(std::string table_name, const waiter_options& options,
                               CompletionToken&& token) {
    return async_run(wait_until_active(std::move(table_name), options), nullptr,
                     std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_wait_until_active(std::string table_name, const waiter_options& options,
                               aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(wait_until_active(std::move(table_name), options), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  template <class CompletionToken>
  auto async_wait_until_deleted(std::string table_name, CompletionToken&& token) {
    return async_run(wait_until_deleted(std::move(table_name), waiter_options{}), nullptr,
                     std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_wait_until_deleted(std::string table_name, const waiter_options& options,
                                CompletionToken&& token) {
    return async_run(wait_until_deleted(std::move(table_name), options), nullptr,
                     std::forward<CompletionToken>(token));
  }
  template <class CompletionToken>
  auto async_wait_until_deleted(std::string table_name, const waiter_options& options,
                                aws::diagnostics& diagnostics, CompletionToken&& token) {
    return async_run(wait_until_deleted(std::move(table_name), options), &diagnostics,
                     std::forward<CompletionToken>(token));
  }

  aws::service_client& service() noexcept { return service_; }

 private:
  /// Sends one operation's body (from the operation's to_body) with the checks above and
  /// returns its response unparsed: 2xx, or an error response whose checksum matched.
  boost::asio::awaitable<http::response> send(std::string_view operation, std::string body);

  // Each operation with an error response as a value instead of an exception: the token forms
  // complete with its code and diagnostics without raising one; the awaitable forms throw it.
  template <class Result>
  using answer = std::variant<Result, service_error>;
  boost::asio::awaitable<answer<create_table_result>> answer_to(
      const create_table_request& request);
  boost::asio::awaitable<answer<describe_table_result>> answer_to(
      const describe_table_request& request);
  boost::asio::awaitable<answer<update_table_result>> answer_to(
      const update_table_request& request);
  boost::asio::awaitable<answer<delete_table_result>> answer_to(
      const delete_table_request& request);
  boost::asio::awaitable<answer<put_item_result>> answer_to(const put_item_request& request);
  boost::asio::awaitable<answer<get_item_result>> answer_to(const get_item_request& request);
  boost::asio::awaitable<answer<update_item_result>> answer_to(const update_item_request& request);
  boost::asio::awaitable<answer<delete_item_result>> answer_to(const delete_item_request& request);
  boost::asio::awaitable<answer<query_result>> answer_to(const query_request& request);
  boost::asio::awaitable<answer<scan_result>> answer_to(const scan_request& request);
  boost::asio::awaitable<answer<batch_get_item_result>> answer_to(
      const batch_get_item_request& request);
  boost::asio::awaitable<answer<transact_write_items_result>> answer_to(
      const transact_write_items_request& request) {
    return try_transact_write_items(request);
  }

  template <class T, class CompletionToken>
  auto async_answer(boost::asio::awaitable<answer<T>> operation, aws::diagnostics* diagnostics,
                    CompletionToken&& token) {
    return aws::detail::initiate_operation<T>(
        std::forward<CompletionToken>(token),
        [this](aws::detail::completion_handler<T> handler,
               boost::asio::awaitable<answer<T>> started, aws::diagnostics* where) {
          start_answer(std::move(started), where, std::move(handler));
        },
        std::move(operation), diagnostics);
  }
  // Compiled once per result type (src/dynamodb/client.cpp).
  template <class T>
  void start_answer(boost::asio::awaitable<answer<T>> operation, aws::diagnostics* diagnostics,
                    aws::detail::completion_handler<T> handler);

  template <class T, class CompletionToken>
  auto async_run(boost::asio::awaitable<T> operation, aws::diagnostics* diagnostics,
                 CompletionToken&& token) {
    return aws::detail::initiate_operation<T>(
        std::forward<CompletionToken>(token),
        [this](aws::detail::completion_handler<T> handler, boost::asio::awaitable<T> started,
               aws::diagnostics* where) { start(std::move(started), where, std::move(handler)); },
        std::move(operation), diagnostics);
  }
  // Compiled once per result type (src/dynamodb/client.cpp).
  template <class T>
  void start(boost::asio::awaitable<T> operation, aws::diagnostics* diagnostics,
             aws::detail::completion_handler<T> handler);

  aws::service_client service_;
  client_options options_;
};

}  // namespace evstore::dynamodb
