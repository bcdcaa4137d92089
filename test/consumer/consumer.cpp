// A program outside evstore's build using only its public API, compiled against an installed
// evstore (find_package, pkg-config) or its source tree (add_subdirectory). It builds a repo and
// runs a coroutine on Asio (compiled into evstore's library, not here), sending no request.

#include <chrono>
#include <cstdio>
#include <exception>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <evstore/evstore.hpp>

namespace {

boost::asio::awaitable<void> pause_briefly() {
  boost::asio::steady_timer timer{co_await boost::asio::this_coro::executor,
                                  std::chrono::milliseconds{1}};
  co_await timer.async_wait(boost::asio::use_awaitable);
}

}  // namespace

int main() {
  boost::asio::io_context io;
  evstore::aws::config config;
  config.region = "us-east-1";
  config.static_credentials = evstore::aws::credentials{"consumer", "consumer", "", std::nullopt};
  config.endpoint_url = "http://127.0.0.1:9";  // never contacted
  evstore::repo_options options;
  options.table_name_prefix = "consumer-";
  options.s3_bucket_name = "consumer";
  evstore::repo repo{io.get_executor(), config, options};

  bool paused = false;
  boost::asio::co_spawn(io, pause_briefly(), [&](std::exception_ptr error) { paused = !error; });
  io.run();
  if (!paused) return 1;
  std::printf("evstore consumer: table %s, %llu DynamoDB requests\n", repo.table_name().c_str(),
              static_cast<unsigned long long>(repo.metrics().dynamodb.requests));
  return 0;
}
