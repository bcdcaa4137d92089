// A small HTTP service over the event store (Boost.Beast on Asio coroutines):
//   POST /streams/{domain}/{id}/events   body: a JSON array of {"type", "payload", "meta"?}
//        (?expectedSequence=N for optimistic concurrency) -> 201 and the stored events
//   GET  /streams/{domain}/{id}/events   (?afterSequence=N) -> 200 and the stream's events
// Errors: 400 bad input, 404 unknown path, 409 stale expectedSequence, 500 anything else.
//
//   evstore_http_server [PORT]    listens on 127.0.0.1; PORT 0 (the default): any free port
// Configuration as for every AWS program (AWS_REGION, AWS_ENDPOINT_URL_*, credentials), plus
// EVSTORE_TABLE_PREFIX and EVSTORE_S3_BUCKET. Prints "listening on http://127.0.0.1:PORT" once
// the table is ready; stops on SIGINT or SIGTERM.

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include "evstore/evstore.hpp"
#include "evstore/store/event_json.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

/// A request the service cannot read: answered 400 with the reason.
struct bad_request : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::optional<std::uint64_t> query_number(const boost::urls::url_view& url, const char* name) {
  auto found = url.params().find(name);
  if (found == url.params().end()) return std::nullopt;
  const std::string text((*found).value);
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty())
    throw bad_request(std::string(name) + " must be a whole number");
  return value;
}

std::string json_array(const std::vector<evstore::event>& events) {
  std::string body = "[";
  for (const evstore::event& e : events) body += (body.size() > 1 ? "," : "") + to_json_line(e);
  return body + "]";
}

/// Events from the POST body: each element gets the domain and identifier of the path.
std::vector<evstore::event> events_from_body(const std::string& body, const std::string& domain,
                                             const std::string& identifier) {
  try {
    const json::value document = json::parse(body);
    std::vector<evstore::event> events;
    for (const json::value& element : document.as_array()) {
      json::object object = element.as_object();
      object["domain"] = domain;
      object["identifier"] = identifier;
      if (!object.contains("payload")) object["payload"] = nullptr;
      events.push_back(evstore::event_from_json(json::serialize(object)));
    }
    return events;
  } catch (const std::exception& e) {  // not JSON, not an array of objects, a bad member
    throw bad_request(std::string("the body must be a JSON array of events: ") + e.what());
  }
}

response reply(const request& req, http::status status, std::string body) {
  response res{status, req.version()};
  res.set(http::field::content_type, "application/json");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::string error_body(const char* what) {
  return json::serialize(json::object{{"error", what}});
}

asio::awaitable<response> handle(evstore::repo& repo, const request& req) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) co_return reply(req, http::status::bad_request, error_body("bad request target"));
  const std::vector<std::string> path(url->segments().begin(), url->segments().end());
  if (path.size() != 4 || path[0] != "streams" || path[3] != "events")
    co_return reply(req, http::status::not_found, error_body("no such resource"));
  try {
    if (req.method() == http::verb::post) {
      std::vector<evstore::event> events = events_from_body(req.body(), path[1], path[2]);
      evstore::append_options options;
      options.expected_sequence = query_number(*url, "expectedSequence");
      std::vector<evstore::event> stored = co_await repo.append(std::move(events), options);
      co_return reply(req, http::status::created, json_array(stored));
    }
    if (req.method() == http::verb::get) {
      evstore::stream_read_options options;
      options.after_sequence = query_number(*url, "afterSequence").value_or(0);
      std::vector<evstore::event> found = co_await repo.stream_events(path[1], path[2], options);
      co_return reply(req, http::status::ok, json_array(found));
    }
    co_return reply(req, http::status::method_not_allowed, error_body("use GET or POST"));
  } catch (const bad_request& e) {
    co_return reply(req, http::status::bad_request, error_body(e.what()));
  } catch (const evstore::concurrency_error& e) {
    co_return reply(req, http::status::conflict, error_body(e.what()));
  } catch (const boost::system::system_error& e) {
    const bool invalid = e.code() == evstore::store_errc::invalid_event;
    co_return reply(req, invalid ? http::status::bad_request : http::status::internal_server_error,
                    error_body(e.what()));
  }
}

asio::awaitable<void> session(evstore::repo& repo, tcp::socket socket) {
  boost::beast::tcp_stream stream(std::move(socket));
  boost::beast::flat_buffer buffer;
  for (;;) {  // one request after another until the client closes or asks to
    http::request_parser<http::string_body> parser;
    parser.body_limit(1 << 20);
    stream.expires_after(std::chrono::seconds(30));
    auto [read_error, read_bytes] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (read_error) co_return;  // closed, timed out or not HTTP: drop the connection
    request req = parser.release();
    response res = co_await handle(repo, req);
    res.keep_alive(req.keep_alive());
    co_await http::async_write(stream, res, asio::use_awaitable);
    if (!res.keep_alive()) co_return;
  }
}

asio::awaitable<void> serve(evstore::repo& repo, unsigned short port) {
  co_await repo.init();
  auto executor = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(executor, tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::printf("listening on http://127.0.0.1:%u\n", acceptor.local_endpoint().port());
  std::fflush(stdout);
  for (;;) {
    tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
    asio::co_spawn(executor, session(repo, std::move(socket)), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  asio::io_context io;
  evstore::repo_options options;
  options.table_name_prefix = env("EVSTORE_TABLE_PREFIX");
  options.s3_bucket_name = env("EVSTORE_S3_BUCKET");
  evstore::repo repo{io.get_executor(), evstore::aws::config::from_environment(), options};
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](auto, int) { io.stop(); });
  int status = 0;
  asio::co_spawn(io, serve(repo, port), [&](std::exception_ptr failure) {
    try {
      if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "evstore_http_server: %s\n", e.what());
      status = 1;
    }
    io.stop();
  });
  io.run();
  return status;
}
