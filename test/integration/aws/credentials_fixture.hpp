#pragma once
// What the credentials-source tests (container, IMDS, web identity) share: the scripted server's
// answers and request log, and running a provider's get() to its end, bounded in time.

#include <chrono>
#include <cstddef>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/credentials_provider.hpp"
#include "evstore/http/message.hpp"

namespace evstore::test {

/// A scripted server's answer; `content_type` is sent when not empty.
inline http::response answer(unsigned status, std::string body,
                             std::string_view content_type = {}) {
  http::response res;
  res.status = status;
  if (!content_type.empty()) res.headers.push_back({"Content-Type", std::string{content_type}});
  res.body = std::move(body);
  return res;
}

/// Every request the scripted server saw, guarded: the server runs on its own thread.
class request_log {
 public:
  void add(const http::request& req) {
    const std::lock_guard lock{mutex_};
    requests_.push_back(req);
  }
  std::size_t size() {
    const std::lock_guard lock{mutex_};
    return requests_.size();
  }
  http::request at(std::size_t i) {
    const std::lock_guard lock{mutex_};
    return requests_.at(i);
  }
  /// Requests with this method and target.
  std::size_t count(std::string_view method, std::string_view target) {
    const std::lock_guard lock{mutex_};
    std::size_t n = 0;
    for (const auto& r : requests_) n += r.method == method && r.target == target;
    return n;
  }

 private:
  std::mutex mutex_;
  std::vector<http::request> requests_;
};

/// Runs provider.get() on `io` until it finishes (at most 20 s); returns the credentials or
/// rethrows.
inline aws::credentials get(boost::asio::io_context& io, aws::credentials_provider& provider) {
  using namespace std::chrono_literals;
  std::optional<aws::credentials> result;
  std::exception_ptr error;
  bool done = false;
  boost::asio::co_spawn(io, provider.get(), [&](std::exception_ptr e, aws::credentials c) {
    error = e;
    if (!e) result = std::move(c);
    done = true;
  });
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done && std::chrono::steady_clock::now() < deadline) io.run_one_for(100ms);
  BOOST_REQUIRE(done);
  if (error) std::rethrow_exception(error);
  return *result;
}

/// The system_error get() throws; fails the test when it succeeds.
inline boost::system::system_error get_error(boost::asio::io_context& io,
                                             aws::credentials_provider& provider) {
  try {
    get(io, provider);
  } catch (const boost::system::system_error& e) {
    return e;
  }
  BOOST_FAIL("expected an error");
  throw std::logic_error{"unreachable"};
}

}  // namespace evstore::test
