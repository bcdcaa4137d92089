// A memoizing latency proxy for the benchmarks: listens on 127.0.0.1, forwards each request to
// a target server (DynamoDB Local, an S3 emulator), and delays every response by a fixed time,
// so clients meet cloud-like latency without the emulator's speed bounding them. With
// --memoize, a request whose canonical content (method, target, X-Amz-Target, body with JSON
// keys sorted; never the signature or date headers) was answered before is answered from
// memory: after one warm-up pass, replays measure the client, not the server.
//
// Usage: bench_latency_proxy --port P --target-port T [--delay-ms D] [--memoize]
//                            [--max-seconds S] [--dump FILE]
// Prints "latency_proxy: listening on 127.0.0.1:P" once ready; stops on SIGINT/SIGTERM or after
// --max-seconds (default 1200), printing its hit and miss counts. --dump writes the memoized
// response bodies at exit ("<size>\n<body>\n" each), for bench_json_dom.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "support/canonical_json.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
/// DynamoDB answers are at most 16 MB; S3 objects in the benchmarks are far smaller.
constexpr std::uint64_t body_limit = 64ull << 20;

struct settings {
  unsigned short port = 0;
  unsigned short target_port = 0;
  std::chrono::milliseconds delay{0};
  bool memoize = false;
  std::chrono::seconds max_run{1200};
  std::string dump_path{};
};

struct statistics {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

/// Responses by request key, as the bytes sent on the wire.
using memo = std::unordered_map<std::string, std::shared_ptr<const std::string>>;

/// What identifies a request's answer: its method, target, operation and body, with JSON
/// bodies in canonical form so key order does not matter.
std::string request_key(const http::request<http::string_body>& request) {
  std::string key(request.method_string());
  key += '\n';
  key += request.target();
  key += '\n';
  key += request["X-Amz-Target"];
  key += '\n';
  if (!evstore::bench::canonical_json(request.body(), key)) key += request.body();
  return key;
}

/// The response as wire bytes, framed by Content-Length and without a Connection header, so
/// it can be sent again on any keep-alive connection.
std::shared_ptr<const std::string> wire_bytes(http::response<http::string_body> response) {
  response.erase(http::field::connection);
  response.chunked(false);
  response.prepare_payload();
  std::ostringstream out;
  out << response;
  return std::make_shared<const std::string>(std::move(out).str());
}

/// One upstream keep-alive connection, opened on first use and again after the target closed
/// it.
class upstream {
 public:
  upstream(asio::any_io_executor executor, unsigned short port)
      : stream_(std::move(executor)), port_(port) {}

  asio::awaitable<std::shared_ptr<const std::string>> forward(
      http::request<http::string_body> request) {
    request.keep_alive(true);
    // A connection the target closed while idle fails at once: retry that once on a new one.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (!connected_) {
        buffer_.clear();
        auto [ec] = co_await stream_.async_connect(
            tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), port_), use_tuple);
        if (ec) throw boost::system::system_error(ec, "latency_proxy: connecting to the target");
        stream_.socket().set_option(tcp::no_delay(true));
        connected_ = true;
      }
      auto [write_error, written] = co_await http::async_write(stream_, request, use_tuple);
      if (!write_error) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(body_limit);
        auto [read_error, read] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
        if (!read_error) {
          http::response<http::string_body> response = parser.release();
          if (!response.keep_alive()) close();
          co_return wire_bytes(std::move(response));
        }
      }
      close();
    }
    throw std::runtime_error("latency_proxy: the target closed the connection twice");
  }

 private:
  void close() {
    boost::system::error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
  }

  beast::tcp_stream stream_;
  unsigned short port_;
  beast::flat_buffer buffer_;
  bool connected_ = false;
};

asio::awaitable<void> serve(tcp::socket socket, const settings& config, memo& answers,
                            statistics& stats) {
  socket.set_option(tcp::no_delay(true));
  upstream target(socket.get_executor(), config.target_port);
  asio::steady_timer delay(socket.get_executor());
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(body_limit);
    auto [read_error, read] = co_await http::async_read(socket, buffer, parser, use_tuple);
    if (read_error) co_return;
    http::request<http::string_body> request = parser.release();
    const bool keep_alive = request.keep_alive();

    std::shared_ptr<const std::string> answer;
    std::string key;
    if (config.memoize) {
      key = request_key(request);
      if (auto found = answers.find(key); found != answers.end()) {
        answer = found->second;
        ++stats.hits;
      }
    }
    if (!answer) {
      try {
        answer = co_await target.forward(std::move(request));
      } catch (const std::exception& e) {
        std::fprintf(stderr, "%s\n", e.what());
        co_return;
      }
      ++stats.misses;
      // Only successes are kept: an error answer (a throttle, a conflict) must not repeat.
      if (config.memoize && answer->compare(0, 12, "HTTP/1.1 200") == 0)
        answers.emplace(std::move(key), answer);
    }
    if (config.delay.count() > 0) {
      delay.expires_after(config.delay);
      co_await delay.async_wait(use_tuple);
    }
    auto [write_error, written] =
        co_await asio::async_write(socket, asio::buffer(*answer), use_tuple);
    if (write_error || !keep_alive) co_return;
  }
}

asio::awaitable<void> accept_all(tcp::acceptor& acceptor, const settings& config, memo& answers,
                                 statistics& stats) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec) co_return;
    asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), config, answers, stats),
                   asio::detached);
  }
}

std::optional<settings> parse_arguments(int argc, char** argv) {
  settings config;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--memoize") {
      config.memoize = true;
      continue;
    }
    if (i + 1 >= argc) return std::nullopt;
    if (name == "--dump") {
      config.dump_path = argv[++i];
      continue;
    }
    const long value = std::strtol(argv[++i], nullptr, 10);
    if (value < 0 || value > 65535) return std::nullopt;
    if (name == "--port")
      config.port = static_cast<unsigned short>(value);
    else if (name == "--target-port")
      config.target_port = static_cast<unsigned short>(value);
    else if (name == "--delay-ms")
      config.delay = std::chrono::milliseconds(value);
    else if (name == "--max-seconds")
      config.max_run = std::chrono::seconds(value);
    else
      return std::nullopt;
  }
  if (config.target_port == 0 || config.max_run.count() == 0) return std::nullopt;
  return config;
}

/// Writes each memoized response's body, size first.
bool dump_bodies(const memo& answers, const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) return false;
  for (const auto& [key, answer] : answers) {
    const std::size_t head_end = answer->find("\r\n\r\n");
    if (head_end == std::string::npos) continue;
    const std::string_view body = std::string_view(*answer).substr(head_end + 4);
    std::fprintf(file, "%zu\n", body.size());
    std::fwrite(body.data(), 1, body.size(), file);
    std::fputc('\n', file);
  }
  return std::fclose(file) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::optional<settings> config = parse_arguments(argc, argv);
  if (!config) {
    std::fprintf(stderr,
                 "usage: bench_latency_proxy --port P --target-port T [--delay-ms D] [--memoize] "
                 "[--max-seconds S] [--dump FILE]\n");
    return 2;
  }
  // Declared before the io_context, so they outlive the connections it destroys.
  memo answers;
  statistics stats;
  asio::io_context io(1);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address_v4("127.0.0.1"), config->port));
  asio::co_spawn(io, accept_all(acceptor, *config, answers, stats), asio::detached);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });
  asio::steady_timer deadline(io, config->max_run);
  deadline.async_wait([&](const boost::system::error_code&) {
    std::fprintf(stderr, "latency_proxy: stopping after its maximum run time\n");
    io.stop();
  });

  std::printf("latency_proxy: listening on 127.0.0.1:%u, delay %lld ms%s\n",
              acceptor.local_endpoint().port(), static_cast<long long>(config->delay.count()),
              config->memoize ? ", memoizing" : "");
  std::fflush(stdout);
  io.run();
  std::printf("latency_proxy: %llu answered from memory, %llu forwarded, %zu distinct answers\n",
              static_cast<unsigned long long>(stats.hits),
              static_cast<unsigned long long>(stats.misses), answers.size());
  if (!config->dump_path.empty() && !dump_bodies(answers, config->dump_path)) {
    std::fprintf(stderr, "latency_proxy: cannot write %s\n", config->dump_path.c_str());
    return 1;
  }
  return 0;
}
