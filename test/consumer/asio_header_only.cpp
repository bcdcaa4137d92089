// A program that compiles Asio header-only and uses Beast itself, beside evstore, built against
// an installed evstore: evstore must not decide how Asio is compiled here. It answers one Beast
// HTTP request on a loopback acceptor of its own and builds a repo on the same io_context,
// sending no request to AWS.

#if defined(BOOST_ASIO_SEPARATE_COMPILATION) || defined(BOOST_BEAST_SEPARATE_COMPILATION)
#error "evstore's target made this program compile Asio or Beast separately"
#endif

#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <evstore/evstore.hpp>

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

asio::awaitable<void> answer_one(tcp::acceptor& acceptor) {
  boost::beast::tcp_stream stream(co_await acceptor.async_accept(asio::use_awaitable));
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  co_await http::async_read(stream, buffer, request, asio::use_awaitable);
  http::response<http::string_body> response(http::status::ok, request.version());
  response.body() = "pong " + std::string(request.target());
  response.prepare_payload();
  co_await http::async_write(stream, response, asio::use_awaitable);
}

asio::awaitable<std::string> ask(tcp::endpoint server) {
  boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
  co_await stream.async_connect(server, asio::use_awaitable);
  http::request<http::string_body> request(http::verb::get, "/ping", 11);
  request.set(http::field::host, "127.0.0.1");
  co_await http::async_write(stream, request, asio::use_awaitable);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return response.body();
}

}  // namespace

int main() {
  asio::io_context io;
  evstore::aws::config config;
  config.region = "us-east-1";
  config.static_credentials = evstore::aws::credentials{"consumer", "consumer", "", std::nullopt};
  config.endpoint_url = "http://127.0.0.1:9";  // never contacted
  evstore::repo_options options;
  options.table_name_prefix = "consumer-";
  options.s3_bucket_name = "consumer";
  evstore::repo repo{io.get_executor(), config, options};

  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  std::string answer;
  bool served = false;
  asio::co_spawn(io, answer_one(acceptor), [&](std::exception_ptr error) { served = !error; });
  asio::co_spawn(io, ask(acceptor.local_endpoint()),
                 [&](std::exception_ptr error, std::string body) {
                   if (!error) answer = std::move(body);
                 });
  io.run_for(std::chrono::seconds(10));
  if (!served || answer.empty()) return 1;
  std::printf("evstore consumer: table %s, %llu DynamoDB requests, beast said %s\n",
              repo.table_name().c_str(),
              static_cast<unsigned long long>(repo.metrics().dynamodb.requests), answer.c_str());
  return 0;
}
