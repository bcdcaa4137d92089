#pragma once
// A repo on the local servers (or a latency proxy in front of DynamoDB Local), and a bounded
// way to run a coroutine to completion on its io_context.

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/store/repo.hpp"

namespace evstore::bench {

/// Local servers ignore credentials; fixed dummy ones keep the chain from looking further.
inline aws::config local_config(long dynamodb_port, long s3_port) {
  aws::config config;
  config.region = "us-east-1";
  config.static_credentials = aws::credentials{"local", "local", "", std::nullopt};
  config.static_credentials_origin = "benchmark";
  config.service_endpoint_urls["dynamodb"] = "http://127.0.0.1:" + std::to_string(dynamodb_port);
  config.service_endpoint_urls["s3"] = "http://127.0.0.1:" + std::to_string(s3_port);
  return config;
}

/// Runs `task` on `io` until it finishes; throws after `limit` (pooled keep-alive connections
/// keep `io` busy, so waiting for it to run out of work would never end).
template <class T>
T run_for(boost::asio::io_context& io, boost::asio::awaitable<T> task, std::chrono::seconds limit) {
  std::future<T> result = boost::asio::co_spawn(io, std::move(task), boost::asio::use_future);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  io.restart();
  while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) throw std::runtime_error("benchmark step took longer than its limit");
    io.run_one_for(deadline - now);
  }
  return result.get();
}

}  // namespace evstore::bench
