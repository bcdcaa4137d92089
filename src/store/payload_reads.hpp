#pragma once
// Reading offloaded payloads from S3: the cap on downloads in flight that hydrations share (the
// reads themselves are repo_state::fetch_payloads and repo_state::complete, in payload_reads.cpp).

#include <cstddef>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/system/error_code.hpp>

namespace evstore {

/// Caps the S3 payload downloads in flight among the hydrations that share it.
class payload_read_limit {
 public:
  payload_read_limit(boost::asio::any_io_executor executor, std::size_t max_in_flight);
  /// Waits for a free place.
  boost::asio::awaitable<void> acquire();
  void release();

 private:
  // A place taken is a message in the buffer: sends wait while all places are taken.
  boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> places_;
};

}  // namespace evstore
