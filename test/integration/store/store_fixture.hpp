#pragma once
// What the store's integration tests share: a repo on DynamoDB Local and fauxqs with a table
// prefix and bucket no other run uses, a raw DynamoDB client to look at the table, a bounded way
// to run coroutines, and cleanup of the table and bucket when the test ends.

#include <unistd.h>

#include <chrono>
#include <future>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/dynamodb/client.hpp"
#include "evstore/s3/client.hpp"
#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "store/item_codec.hpp"
#include "support/servers.hpp"

namespace evstore::test {

/// Runs `task` on `io` until it finishes, failing after `limit` (pooled keep-alive connections
/// keep `io` busy, so this does not wait for `io` to run out of work).
template <class T>
T run_for(boost::asio::io_context& io, boost::asio::awaitable<T> task,
          std::chrono::seconds limit = std::chrono::seconds(120)) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline)
      throw std::runtime_error("store test operation took longer than its limit");
    io.run_one_for(deadline - now);
  }
  return result.get();
}

/// Lowercase letters, digits and '-': valid in table and bucket names alike.
inline std::string unique_name(std::string_view purpose) {
  static std::mt19937_64 random(std::random_device{}());
  return "evstore-it-" + std::string(purpose) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(random() % 1000000000);
}

inline aws::config local_config() {
  aws::config config;
  config.region = "us-east-1";
  config.static_credentials = aws::credentials{"local", "local", "", std::nullopt};
  config.static_credentials_origin = "test";
  config.service_endpoint_urls["dynamodb"] = dynamodb_url();
  config.service_endpoint_urls["s3"] = s3_url();
  return config;
}

inline timestamp utc(std::string_view iso) {
  return parse_iso8601(iso);
}

inline event make_event(std::string domain, std::string identifier, std::string type,
                        std::string payload_json = "{}") {
  event e;
  e.domain = std::move(domain);
  e.identifier = std::move(identifier);
  e.type = std::move(type);
  e.payload_json = std::move(payload_json);
  return e;
}

struct store_fixture {
  explicit store_fixture(std::string_view purpose, repo_options tweaks = {})
      : name(unique_name(purpose)),
        options(with_names(std::move(tweaks), name)),
        store(io.get_executor(), local_config(), options),
        ddb(aws::service_client{io.get_executor(), local_config().endpoint_for("dynamodb"),
                                "us-east-1", "dynamodb",
                                aws::make_static_credentials_provider(
                                    io.get_executor(), *local_config().static_credentials)}),
        s3(io.get_executor(), local_config(),
           aws::make_static_credentials_provider(io.get_executor(),
                                                 *local_config().static_credentials)) {}

  ~store_fixture() {
    try {
      run(drop_everything());
    } catch (const std::exception& error) {
      BOOST_TEST_MESSAGE("cleanup failed: " << error.what());
    }
  }

  template <class T>
  T run(boost::asio::awaitable<T> task, std::chrono::seconds limit = std::chrono::seconds(180)) {
    return run_for(io, std::move(task), limit);
  }

  /// Every event of a replay, checking that no page is empty or larger than the page size.
  std::vector<event> replay_all(replay_options replay_opts) {
    return run(collect(store.all_events(replay_opts), replay_opts.page_size));
  }

  std::vector<std::string> log_lines(log_level level) {
    const std::lock_guard lock(log->mutex);
    std::vector<std::string> lines;
    for (const auto& [l, text] : log->lines)
      if (l == level) lines.push_back(text);
    return lines;
  }

  struct log_sink {
    std::mutex mutex;
    std::vector<std::pair<log_level, std::string>> lines;
  };

  boost::asio::io_context io;
  std::shared_ptr<log_sink> log = std::make_shared<log_sink>();
  std::string name;
  repo_options options;
  repo store;
  dynamodb::client ddb;
  s3::client s3;

 private:
  repo_options with_names(repo_options tweaks, const std::string& unique) {
    tweaks.table_name_prefix = unique + "-";
    // A test that skips bucket creation and names no bucket needs none (init checks that a
    // named bucket exists).
    if (tweaks.s3_bucket_name.empty() && !tweaks.skip_bucket_creation)
      tweaks.s3_bucket_name = unique;
    tweaks.log = [sink = log](log_level level, std::string_view text) {
      const std::lock_guard lock(sink->mutex);
      sink->lines.emplace_back(level, std::string(text));
    };
    return tweaks;
  }

  static boost::asio::awaitable<std::vector<event>> collect(replay cursor, std::size_t page_size) {
    std::vector<event> events;
    for (int pages = 0; pages < 100000; ++pages) {
      std::optional<std::vector<event>> page = co_await cursor.next();
      if (!page) break;
      BOOST_TEST_REQUIRE(!page->empty());
      BOOST_TEST_REQUIRE(page->size() <= page_size);
      std::move(page->begin(), page->end(), std::back_inserter(events));
    }
    co_return events;
  }

  boost::asio::awaitable<void> drop_everything() {
    try {
      const dynamodb::delete_table_request request{.table_name = store.table_name()};
      co_await ddb.delete_table(request);
      co_await ddb.wait_until_deleted(store.table_name());
    } catch (const dynamodb::service_error& error) {
      if (error.code() != dynamodb::errc::resource_not_found) throw;
    }
    if (!options.s3_bucket_name.empty() && co_await s3.head_bucket(options.s3_bucket_name)) {
      std::vector<std::string> keys;
      for (const auto& object : co_await s3.list_all_objects(options.s3_bucket_name, ""))
        keys.push_back(object.key);
      if (!keys.empty()) co_await s3.delete_objects(options.s3_bucket_name, std::move(keys));
      co_await s3.delete_bucket(options.s3_bucket_name);
    }
  }
};

/// Every item stored under the event id, whatever its created time.
inline std::size_t copies_of(store_fixture& f, const std::string& id) {
  dynamodb::query_request request;
  request.table_name = f.store.table_name();
  request.key_condition_expression = "id = :id";
  request.values = {{":id", dynamodb::attribute_value::string(event_key(id))}};
  request.consistent_read = true;
  return f.run(f.ddb.query(request)).items.size();
}

}  // namespace evstore::test
