// A line-based TCP service over the event store written with completion handlers only (no
// coroutines in this program), on an io_context run by several threads: the repo runs on a
// strand of its own, each connection on another, and every completion handler is bound to its
// connection's strand.
//
// Requests, one per line; one answer line each:
//   APPEND <domain> <identifier> <expected|-> <type> <payload JSON>
//        -> APPENDED <sequence> | CONFLICT <expected> <actual> | INVALID <why> | ERROR <why>
//   SEQUENCE <domain> <identifier>   -> SEQUENCE <version>
//   READ <domain> <identifier>       -> EVENTS <count> <JSON array of the stream's events>
//
//   evstore_callback_server [PORT [THREADS]]   127.0.0.1; PORT 0 (default): any free port;
//                                              THREADS (default 4) run the io_context
// Configuration as for every AWS program, plus EVSTORE_TABLE_PREFIX and EVSTORE_S3_BUCKET.
// Prints "listening on 127.0.0.1:PORT" once the table is ready; stops on SIGINT or SIGTERM.

#include <algorithm>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>

#include "evstore/evstore.hpp"
#include "evstore/store/event_json.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::optional<std::uint64_t> whole_number(const std::string& text) {
  std::uint64_t value = 0;
  auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (failure != std::errc{} || end != text.data() + text.size() || text.empty())
    return std::nullopt;
  return value;
}

/// One line with its newlines made spaces, so an answer stays one line.
std::string one_line(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

/// One client connection: reads a request, starts the repo operation, writes its answer, reads
/// the next. Its handlers run on its own strand; the repo's operations run on the repo's.
class session : public std::enable_shared_from_this<session> {
 public:
  session(tcp::socket socket, evstore::repo& repo) : socket_(std::move(socket)), repo_(repo) {}

  void start() { read_request(); }

 private:
  void read_request() {
    asio::async_read_until(socket_, input_, '\n',
                           [self = shared_from_this()](error_code failure, std::size_t length) {
                             self->on_request(failure, length);
                           });
  }

  void on_request(error_code failure, std::size_t length) {
    if (failure) return;  // closed by the client, or too long a line: drop the connection
    std::string line(asio::buffers_begin(input_.data()),
                     asio::buffers_begin(input_.data()) + static_cast<std::ptrdiff_t>(length));
    input_.consume(length);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::istringstream words(line);
    std::string command, domain, identifier;
    words >> command >> domain >> identifier;
    if (command == "APPEND") return append(words, std::move(domain), std::move(identifier));
    if (command == "SEQUENCE") return sequence(domain, identifier);
    if (command == "READ") return read_stream(domain, identifier);
    write_answer("ERROR unknown command '" + one_line(command) + "'");
  }

  void append(std::istringstream& words, std::string domain, std::string identifier) {
    std::string expected_text, type, payload;
    words >> expected_text >> type;
    std::getline(words >> std::ws, payload);
    evstore::append_options options;
    if (expected_text != "-") {
      options.expected_sequence = whole_number(expected_text);
      if (!options.expected_sequence) return write_answer("INVALID expected must be - or a number");
    }
    evstore::event e;
    e.domain = std::move(domain);
    e.identifier = std::move(identifier);
    e.type = std::move(type);
    e.payload_json = payload.empty() ? "null" : std::move(payload);
    std::vector<evstore::event> events{std::move(e)};
    repo_.async_append(
        std::move(events), options, diagnostics_,
        asio::bind_executor(
            socket_.get_executor(),
            [self = shared_from_this()](error_code failure, std::vector<evstore::event> stored) {
              self->on_appended(failure, stored);
            }));
  }

  void on_appended(error_code failure, const std::vector<evstore::event>& stored) {
    if (!failure) return write_answer("APPENDED " + std::to_string(stored.back().sequence));
    if (failure == evstore::store_errc::concurrency_conflict) {
      return write_answer("CONFLICT " +
                          std::to_string(diagnostics_.expected_version().value_or(0)) + " " +
                          std::to_string(diagnostics_.actual_version().value_or(0)));
    }
    if (failure == evstore::store_errc::invalid_event)
      return write_answer("INVALID " + one_line(diagnostics_.message()));
    write_answer("ERROR " + one_line(diagnostics_.message()));
  }

  void sequence(const std::string& domain, const std::string& identifier) {
    repo_.async_stream_sequence(
        domain, identifier, diagnostics_,
        asio::bind_executor(socket_.get_executor(), [self = shared_from_this()](
                                                        error_code failure, std::uint64_t version) {
          if (failure) return self->write_answer("ERROR " + one_line(self->diagnostics_.message()));
          self->write_answer("SEQUENCE " + std::to_string(version));
        }));
  }

  void read_stream(const std::string& domain, const std::string& identifier) {
    repo_.async_stream_events(
        domain, identifier, evstore::stream_read_options{}, diagnostics_,
        asio::bind_executor(
            socket_.get_executor(),
            [self = shared_from_this()](error_code failure, std::vector<evstore::event> found) {
              if (failure)
                return self->write_answer("ERROR " + one_line(self->diagnostics_.message()));
              std::string array = "[";
              for (const evstore::event& e : found)
                array += (array.size() > 1 ? "," : "") + evstore::to_json_line(e);
              self->write_answer("EVENTS " + std::to_string(found.size()) + " " + array + "]");
            }));
  }

  void write_answer(std::string answer) {
    output_ = std::move(answer) + "\n";
    asio::async_write(socket_, asio::buffer(output_),
                      [self = shared_from_this()](error_code failure, std::size_t) {
                        if (!failure) self->read_request();
                      });
  }

  tcp::socket socket_;
  evstore::repo& repo_;
  asio::streambuf input_{64 * 1024};  // a longer request line ends the connection
  std::string output_;
  evstore::diagnostics diagnostics_;  // one operation at a time per connection
};

class server {
 public:
  server(asio::io_context& io, evstore::repo& repo, unsigned short port)
      : io_(io),
        repo_(repo),
        acceptor_(asio::make_strand(io), tcp::endpoint(asio::ip::make_address("127.0.0.1"), port)) {
  }

  void start() {
    repo_.async_init(asio::bind_executor(acceptor_.get_executor(), [this](error_code failure) {
      if (failure) {
        std::fprintf(stderr, "evstore_callback_server: init failed: %s\n",
                     failure.message().c_str());
        status = 1;
        io_.stop();
        return;
      }
      std::printf("listening on 127.0.0.1:%u\n", acceptor_.local_endpoint().port());
      std::fflush(stdout);
      accept();
    }));
  }

  int status = 0;

 private:
  void accept() {
    // Each connection gets a strand of its own.
    acceptor_.async_accept(asio::make_strand(io_), [this](error_code failure, tcp::socket socket) {
      if (!failure) std::make_shared<session>(std::move(socket), repo_)->start();
      accept();
    });
  }

  asio::io_context& io_;
  evstore::repo& repo_;
  tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
  const auto port = static_cast<unsigned short>(argc > 1 ? std::atoi(argv[1]) : 0);
  const int threads = argc > 2 ? std::max(1, std::atoi(argv[2])) : 4;
  asio::io_context io(threads);
  evstore::repo_options options;
  options.table_name_prefix = env("EVSTORE_TABLE_PREFIX");
  options.s3_bucket_name = env("EVSTORE_S3_BUCKET");
  // Several threads run the io_context: the repo gets a strand, so its work never runs on two
  // threads at once.
  evstore::repo repo{asio::make_strand(io), evstore::aws::config::from_environment(), options};
  server listener(io, repo, port);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&io](error_code, int) { io.stop(); });
  listener.start();
  std::vector<std::thread> runners;
  for (int t = 1; t < threads; ++t) runners.emplace_back([&io] { io.run(); });
  io.run();
  for (std::thread& runner : runners) runner.join();
  return listener.status;
}
