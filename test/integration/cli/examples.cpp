// The example programs against DynamoDB Local and fauxqs: the HTTP service answers a POST and a
// GET of a stream on a free loopback port, and the projection resumes from its checkpoint.

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <vector>

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include "integration/cli/background_process.hpp"
#include "integration/cli/cli_fixture.hpp"
#include "integration/store/store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(examples)

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using evstore::test::parse_json_lines;

namespace {

struct http_reply {
  unsigned status = 0;
  json::value body;
};

asio::awaitable<http_reply> exchange(unsigned short port, http::verb method, std::string target,
                                     std::string body) {
  boost::beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(std::chrono::seconds(30));
  const asio::ip::tcp::endpoint server(asio::ip::make_address("127.0.0.1"), port);
  co_await stream.async_connect(server, asio::use_awaitable);
  http::request<http::string_body> request(method, target, 11);
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::use_awaitable);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return http_reply{response.result_int(), json::parse(response.body())};
}

http_reply send(unsigned short port, http::verb method, std::string target, std::string body = "") {
  asio::io_context io;
  return evstore::test::run_for(io, exchange(port, method, std::move(target), std::move(body)),
                                std::chrono::seconds(60));
}

std::string event_line(int n) {
  return R"({"id":"p-)" + std::to_string(n) + R"(","domain":"shop","type":")" +
         (n % 2 == 0 ? "sold" : "restocked") + R"(","identifier":"s-1","payload":{"n":)" +
         std::to_string(n) + R"(},"created":"2024-07-01T10:00:)" + (n < 10 ? "0" : "") +
         std::to_string(n) + ".000Z\"}\n";
}

std::string event_lines(int first, int last) {
  std::string lines;
  for (int n = first; n <= last; ++n) lines += event_line(n);
  return lines;
}

/// A blocking client of the callback server: one answer line per request line. The server
/// being stopped ends a read that would otherwise wait for good.
class line_client {
 public:
  explicit line_client(unsigned short port) : socket_(io_) {
    socket_.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  std::string ask(const std::string& request) {
    asio::write(socket_, asio::buffer(request + "\n"));
    const std::size_t length = asio::read_until(socket_, input_, '\n');
    std::string line(asio::buffers_begin(input_.data()),
                     asio::buffers_begin(input_.data()) + static_cast<std::ptrdiff_t>(length) - 1);
    input_.consume(length);
    return line;
  }

 private:
  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  asio::streambuf input_;
};

/// What one client of the callback server did: its own stream written in order, and its share
/// of a stream every client writes to with an expected version (retried after conflicts).
struct client_work {
  int own_appended = 0;
  int shared_appended = 0;
  int conflicts = 0;
  std::string failure;
};

client_work drive_callback_server(unsigned short port, int client, int own_events,
                                  int shared_events) {
  client_work work;
  line_client connection(port);
  const std::string own = "c-" + std::to_string(client);
  for (int n = 0; n < own_events; ++n) {
    const std::string answer = connection.ask("APPEND shop " + own + " " + std::to_string(n) +
                                              " added {\"n\":" + std::to_string(n) + "}");
    if (answer != "APPENDED " + std::to_string(n + 1)) {
      work.failure = own + ": " + answer;
      return work;
    }
    ++work.own_appended;
  }
  // At most 200 attempts for the shared stream's events: each conflict is another client's
  // success, so this ends long before that.
  for (int attempt = 0; attempt < 200 && work.shared_appended < shared_events; ++attempt) {
    const std::string version = connection.ask("SEQUENCE shop shared");
    if (!version.starts_with("SEQUENCE ")) {
      work.failure = version;
      return work;
    }
    const std::string answer =
        connection.ask("APPEND shop shared " + version.substr(9) +
                       " counted {\"client\":" + std::to_string(client) + "}");
    if (answer.starts_with("APPENDED "))
      ++work.shared_appended;
    else if (answer.starts_with("CONFLICT "))
      ++work.conflicts;
    else {
      work.failure = "shared: " + answer;
      return work;
    }
  }
  return work;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_examples, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(http_server_posts_and_gets_a_stream) {
  evstore::test::background_process server({EVSTORE_HTTP_SERVER_PATH, "0"}, environment());
  const std::string ready = server.first_line(std::chrono::seconds(120));
  const std::string prefix = "listening on http://127.0.0.1:";
  BOOST_TEST_REQUIRE(ready.starts_with(prefix), ready);
  const auto port = static_cast<unsigned short>(std::stoi(ready.substr(prefix.size())));
  BOOST_TEST_REQUIRE(port != 0);

  const std::string target = "/streams/acct/a%201/events";
  auto posted = send(port, http::verb::post, target + "?expectedSequence=0",
                     R"([{"type":"opened","payload":{"owner":"ada"}},{"type":"credited",)"
                     R"("payload":5,"meta":{"by":"test"}}])");
  BOOST_TEST_REQUIRE(posted.status == 201u, json::serialize(posted.body));
  const json::array& stored = posted.body.as_array();
  BOOST_TEST_REQUIRE(stored.size() == 2u);
  BOOST_TEST(stored[0].at("identifier").as_string() == "a 1");
  BOOST_TEST(stored[0].at("sequence").as_int64() == 1);
  BOOST_TEST(stored[1].at("sequence").as_int64() == 2);
  BOOST_TEST(stored[1].at("meta") == (json::object{{"by", "test"}}));
  BOOST_TEST(stored[0].at("id").as_string().size() == 36u);

  auto got = send(port, http::verb::get, target);
  BOOST_TEST(got.status == 200u);
  BOOST_TEST(got.body == posted.body);
  auto later = send(port, http::verb::get, target + "?afterSequence=1");
  BOOST_TEST(later.body == (json::array{stored[1]}));
  // The tool sees what the service stored.
  auto streamed = evstore({"stream", "acct", "a 1"});
  BOOST_TEST(parse_json_lines(streamed.out) == (std::vector<json::value>{stored[0], stored[1]}),
             boost::test_tools::per_element());

  auto stale = send(port, http::verb::post, target + "?expectedSequence=0",
                    R"([{"type":"late","payload":1}])");
  BOOST_TEST(stale.status == 409u);
  auto not_an_array = send(port, http::verb::post, target, R"({"type":"x"})");
  BOOST_TEST(not_an_array.status == 400u);
  BOOST_TEST(not_an_array.body.at("error").as_string().size() > 0u);
  auto no_type = send(port, http::verb::post, target, R"([{"payload":1}])");
  BOOST_TEST(no_type.status == 400u, json::serialize(no_type.body));
  BOOST_TEST(send(port, http::verb::get, "/elsewhere").status == 404u);
  BOOST_TEST(send(port, http::verb::get, target).body.as_array().size() == 2u);
}

BOOST_AUTO_TEST_CASE(projection_resumes_after_its_checkpoint) {
  BOOST_TEST_REQUIRE(evstore({"init"}).status == 0);
  BOOST_TEST_REQUIRE(evstore({"append"}, event_lines(1, 5)).status == 0);
  const std::filesystem::path checkpoint =
      std::filesystem::temp_directory_path() / (prefix() + "projection.json");
  auto project = [&] {
    auto result = evstore::test::run_process({EVSTORE_PROJECTION_PATH, checkpoint.string()}, "",
                                             environment());
    BOOST_TEST_REQUIRE(result.status == 0, result.err);
    return json::parse(result.out);
  };

  const json::value first = project();
  BOOST_TEST(first.at("applied").as_int64() == 5);
  BOOST_TEST(first.at("lastEventId").as_string() == "p-5");
  BOOST_TEST(first.at("counts") == (json::object{{"shop/restocked", 3}, {"shop/sold", 2}}));

  BOOST_TEST_REQUIRE(evstore({"append"}, event_lines(6, 8)).status == 0);
  const json::value second = project();
  BOOST_TEST(second.at("applied").as_int64() == 3);  // only the new events
  BOOST_TEST(second.at("lastEventId").as_string() == "p-8");
  BOOST_TEST(second.at("counts") == (json::object{{"shop/restocked", 4}, {"shop/sold", 4}}));

  const json::value third = project();
  BOOST_TEST(third.at("applied").as_int64() == 0);
  BOOST_TEST(third.at("counts") == second.at("counts"));
  std::filesystem::remove(checkpoint);
}

BOOST_AUTO_TEST_CASE(callback_server_serves_concurrent_clients_on_several_threads) {
  evstore::test::background_process server({EVSTORE_CALLBACK_SERVER_PATH, "0", "4"}, environment());
  const std::string ready = server.first_line(std::chrono::seconds(120));
  const std::string prefix = "listening on 127.0.0.1:";
  BOOST_TEST_REQUIRE(ready.starts_with(prefix), ready);
  const auto port = static_cast<unsigned short>(std::stoi(ready.substr(prefix.size())));

  constexpr int clients = 8, own_events = 10, shared_events = 3;
  std::vector<std::future<client_work>> running;
  for (int c = 0; c < clients; ++c)
    running.push_back(
        std::async(std::launch::async, drive_callback_server, port, c, own_events, shared_events));
  int conflicts = 0;
  for (int c = 0; c < clients; ++c) {
    BOOST_TEST_REQUIRE(
        (running[c].wait_for(std::chrono::seconds(120)) == std::future_status::ready),
        "client " << c << " did not finish in time");
    const client_work work = running[c].get();
    BOOST_TEST_REQUIRE(work.failure.empty(), work.failure);
    BOOST_TEST(work.own_appended == own_events);
    BOOST_TEST(work.shared_appended == shared_events);
    conflicts += work.conflicts;
  }
  BOOST_TEST_MESSAGE("conflicts on the shared stream: " << conflicts);

  line_client reader(port);
  const std::string shared = reader.ask("READ shop shared");
  const std::string expected_count = "EVENTS " + std::to_string(clients * shared_events) + " ";
  BOOST_TEST_REQUIRE(shared.starts_with(expected_count), shared.substr(0, 200));
  const json::array stored = json::parse(shared.substr(expected_count.size())).as_array();
  for (std::size_t k = 0; k < stored.size(); ++k)
    BOOST_TEST(stored[k].at("sequence").as_int64() == static_cast<std::int64_t>(k + 1));
  BOOST_TEST(reader.ask("READ shop c-3").starts_with("EVENTS 10 "));
  BOOST_TEST(reader.ask("APPEND shop c-3 0 late 1") == "CONFLICT 0 10");
  BOOST_TEST(reader.ask("APPEND shop c-3 - late {").starts_with("INVALID "));
  BOOST_TEST(reader.ask("NONSENSE").starts_with("ERROR "));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
