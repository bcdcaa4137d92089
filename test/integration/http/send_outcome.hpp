#pragma once
// What the connection pool tests share: a send that turns a failure into its error code and
// message, so a test can check either outcome.

#include <optional>
#include <string>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/http/client.hpp"

namespace evstore::test {

struct send_outcome {
  std::optional<http::response> response;
  boost::system::error_code error;
  std::string message;
};

inline boost::asio::awaitable<send_outcome> try_send(http::connection_pool& pool,
                                                     http::request req) {
  send_outcome result;
  try {
    result.response = co_await pool.send(std::move(req));
  } catch (const boost::system::system_error& e) {
    result.error = e.code();
    result.message = e.what();
  }
  co_return result;
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace evstore::test
