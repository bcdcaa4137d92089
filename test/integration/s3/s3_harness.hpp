#pragma once
// What the S3 integration tests share: a client for a local server, a bounded way to run a
// coroutine, and a bucket that exists for one test and is emptied and deleted afterwards.

#include <unistd.h>
#include <chrono>
#include <future>
#include <random>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/s3/client.hpp"

namespace evstore::s3::test {

/// Runs `task` on `io` until it finishes, failing after `limit` (pooled keep-alive
/// connections may keep `io` busy, so this does not wait for `io` to run out of work).
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task,
      std::chrono::seconds limit = std::chrono::seconds(60)) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) throw std::runtime_error("S3 test operation took longer than its limit");
    io.run_one_for(deadline - now);
  }
  return result.get();
}

/// A bucket name no other run uses: S3 bucket names are lowercase letters, digits and '-'.
inline std::string unique_bucket_name(std::string_view purpose) {
  static std::mt19937_64 random(std::random_device{}());
  return "evstore-" + std::string(purpose) + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(random() % 1000000000);
}

inline aws::config local_config(const std::string& url, std::string region = "us-east-1") {
  aws::config config;
  config.region = std::move(region);
  config.service_endpoint_urls["s3"] = url;
  return config;
}

inline std::shared_ptr<aws::credentials_provider> local_credentials(boost::asio::io_context& io,
                                                                    std::string secret = "S3RVER") {
  return aws::make_static_credentials_provider(io.get_executor(),
                                               {.access_key_id = "S3RVER",
                                                .secret_access_key = std::move(secret),
                                                .session_token = {},
                                                .expiration = std::nullopt});
}

/// Quick failures: the local servers answer at once, and retries would only slow the tests.
inline client_options local_options() {
  client_options options;
  options.service.http.request_timeout = std::chrono::seconds(20);
  options.service.retry.max_attempts = 2;
  return options;
}

/// A client of one local server, and a bucket created for one test and removed with
/// everything in it when the test ends.
struct bucket_fixture {
  explicit bucket_fixture(const std::string& url, std::string_view purpose,
                          client_options options = local_options())
      : s3(io.get_executor(), local_config(url), local_credentials(io), std::move(options)),
        bucket(unique_bucket_name(purpose)) {
    BOOST_TEST_REQUIRE(run(io, s3.create_bucket(bucket)));
  }

  ~bucket_fixture() {
    try {
      std::vector<std::string> keys;
      for (object_summary& summary : run(io, s3.list_all_objects(bucket, "")))
        keys.push_back(std::move(summary.key));
      if (!keys.empty()) run(io, s3.delete_objects(bucket, keys));
      run(io, s3.delete_bucket(bucket));
    } catch (const std::exception& e) {
      BOOST_TEST_MESSAGE("cleaning up bucket " << bucket << " failed: " << e.what());
    }
  }

  boost::asio::io_context io;
  client s3;
  std::string bucket;
};

}  // namespace evstore::s3::test
