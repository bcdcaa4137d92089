#pragma once
// A dynamodb::client on DynamoDB Local (scripts/emulators start), with table names unique to
// this run; tables made through make_table are deleted when the fixture ends.

#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/dynamodb/client.hpp"
#include "evstore/http/endpoint.hpp"
#include "support/run_awaitable.hpp"
#include "support/servers.hpp"

namespace evstore::dynamodb::test {

inline aws::service_client local_service_client(boost::asio::io_context& io) {
  aws::credentials creds;
  creds.access_key_id = "AKIDEXAMPLE";
  creds.secret_access_key = "not-a-secret";
  aws::service_client_options options;
  options.http.request_timeout = std::chrono::seconds(20);
  // DynamoDB Local checks only that an Authorization header is present.
  return aws::service_client{io.get_executor(),
                             http::endpoint::parse(evstore::test::dynamodb_url()),
                             "us-east-1",
                             "dynamodb",
                             aws::make_static_credentials_provider(io.get_executor(), creds),
                             options};
}

struct local_fixture {
  boost::asio::io_context io;
  client ddb{local_service_client(io)};
  std::vector<std::string> tables;

  ~local_fixture() {
    for (const auto& name : tables) {
      try {
        run(ddb.delete_table({name}));
        run(ddb.wait_until_deleted(name, {.timeout = std::chrono::seconds(10)}));
      } catch (const service_error& e) {
        if (e.code() != errc::resource_not_found) BOOST_TEST_MESSAGE("cleanup: " << e.what());
      } catch (const std::exception& e) {
        BOOST_TEST_MESSAGE("cleanup of " << name << ": " << e.what());
      }
    }
  }

  template <class T>
  T run(boost::asio::awaitable<T> task) {
    return evstore::test::run_awaitable(io, std::move(task));
  }

  /// "evstore-ddb-<pid>-<ms>-<suffix>": unique per run, so parallel runs never collide.
  static std::string unique_name(std::string_view suffix) {
    static const auto start = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
    return "evstore-ddb-" + std::to_string(::getpid()) + "-" + std::to_string(start) + "-" +
           std::string(suffix);
  }

  /// Creates a table keyed by pk (S) and, when `with_sort_key`, sk (N); waits until ACTIVE.
  std::string make_table(std::string_view suffix, bool with_sort_key,
                         std::vector<global_secondary_index> gsis = {},
                         std::vector<attribute_definition> extra_definitions = {}) {
    const std::string name = unique_name(suffix);
    create_table_request request{.table_name = name,
                                 .attribute_definitions = {{"pk", scalar_type::s}},
                                 .key_schema = {{"pk", key_type::hash}},
                                 .global_secondary_indexes = std::move(gsis)};
    if (with_sort_key) {
      request.attribute_definitions.push_back({"sk", scalar_type::n});
      request.key_schema.push_back({"sk", key_type::range});
    }
    for (auto& d : extra_definitions) request.attribute_definitions.push_back(std::move(d));
    tables.push_back(name);
    run(ddb.create_table(request));
    run(ddb.wait_until_active(name, {.timeout = std::chrono::seconds(10)}));
    return name;
  }
};

inline attribute_value s(std::string v) {
  return attribute_value::string(std::move(v));
}
inline attribute_value n(std::int64_t v) {
  return attribute_value::number(v);
}

/// Runs `task`, which must throw service_error with `expected`; returns it.
template <class Fixture, class T>
service_error expect_service_error(Fixture& f, boost::asio::awaitable<T> task, errc expected) {
  try {
    f.run(std::move(task));
  } catch (const service_error& e) {
    BOOST_TEST(e.code() == make_error_code(expected), e.what());
    return e;
  }
  BOOST_FAIL("no service_error thrown; expected " << make_error_code(expected).message());
  throw std::logic_error("unreachable");
}

}  // namespace evstore::dynamodb::test
