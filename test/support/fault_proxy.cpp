#include "fault_proxy.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <random>
#include <stdexcept>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/crc.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "evstore/http/endpoint.hpp"
#include "loopback_listener.hpp"

namespace evstore::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

std::string_view to_string(fault_kind kind) noexcept {
  switch (kind) {
    case fault_kind::throttling:
      return "throttling";
    case fault_kind::throughput_exceeded:
      return "throughput_exceeded";
    case fault_kind::internal_error:
      return "internal_error";
    case fault_kind::service_unavailable:
      return "service_unavailable";
    case fault_kind::reset_before_response:
      return "reset_before_response";
    case fault_kind::reset_mid_response:
      return "reset_mid_response";
    case fault_kind::truncated_body:
      return "truncated_body";
    case fault_kind::stall:
      return "stall";
    case fault_kind::corrupt_crc32:
      return "corrupt_crc32";
    case fault_kind::unprocessed_keys:
      return "unprocessed_keys";
    case fault_kind::dropped_transaction:
      return "dropped_transaction";
    case fault_kind::delayed_transaction:
      return "delayed_transaction";
  }
  return "unknown";
}

std::vector<fault_kind> all_fault_kinds() {
  std::vector<fault_kind> kinds;
  for (std::size_t k = 0; k < fault_kind_count; ++k) kinds.push_back(static_cast<fault_kind>(k));
  return kinds;
}

std::size_t fault_counts::faults() const noexcept {
  return std::accumulate(by_kind.begin(), by_kind.end(), std::size_t{0});
}

std::string fault_counts::summary() const {
  std::string text = "requests " + std::to_string(requests) + ", forwarded " +
                     std::to_string(forwarded) + ", upstream failures " +
                     std::to_string(upstream_failures) + ", faults " + std::to_string(faults()) +
                     " (";
  bool first = true;
  for (std::size_t k = 0; k < fault_kind_count; ++k) {
    if (by_kind[k] == 0) continue;
    if (!first) text += ", ";
    first = false;
    text += to_string(static_cast<fault_kind>(k));
    text += ' ';
    text += std::to_string(by_kind[k]);
  }
  return text + ")";
}

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

bool dynamodb_only(fault_kind kind) {
  return kind == fault_kind::throughput_exceeded || kind == fault_kind::corrupt_crc32 ||
         kind == fault_kind::unprocessed_keys || kind == fault_kind::dropped_transaction ||
         kind == fault_kind::delayed_transaction;
}

/// Answered by the proxy itself, without forwarding.
bool is_error_response(fault_kind kind) {
  return kind == fault_kind::throttling || kind == fault_kind::throughput_exceeded ||
         kind == fault_kind::internal_error || kind == fault_kind::service_unavailable;
}

using proxied_request = beast_http::request<beast_http::string_body>;

/// A response ready to be written byte by byte (so it can be cut anywhere).
struct relayed_response {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // framing headers left out
  std::string body;
  /// For HEAD: the Content-Length the server declared (no body follows).
  std::optional<std::string> head_content_length;

  std::string_view header(std::string_view name) const {
    for (const auto& [n, v] : headers)
      if (beast::iequals(n, name)) return v;
    return {};
  }
  void set_header(std::string_view name, std::string value) {
    for (auto& [n, v] : headers)
      if (beast::iequals(n, name)) {
        v = std::move(value);
        return;
      }
    headers.emplace_back(std::string(name), std::move(value));
  }

  std::string wire(bool close) const {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " +
                      std::string(beast_http::obsolete_reason(beast_http::int_to_status(status))) +
                      "\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    out += "Content-Length: " +
           (head_content_length ? *head_content_length : std::to_string(body.size())) + "\r\n";
    if (close) out += "Connection: close\r\n";
    out += "\r\n";
    if (!head_content_length) out += body;
    return out;
  }
};

std::string crc32_text(std::string_view body) {
  boost::crc_32_type crc;
  crc.process_bytes(body.data(), body.size());
  return std::to_string(crc.checksum());
}

std::string dynamodb_operation(const proxied_request& request) {
  const std::string_view target = request["X-Amz-Target"];
  const auto dot = target.rfind('.');
  return std::string(dot == std::string_view::npos ? target : target.substr(dot + 1));
}

relayed_response error_response(proxied_service service, fault_kind kind, bool head,
                                std::size_t serial) {
  struct shape {
    unsigned status;
    std::string_view code;
    std::string_view message;
  };
  shape s{};
  switch (kind) {
    case fault_kind::throttling:
      s = service == proxied_service::dynamodb
              ? shape{400, "ThrottlingException",
                      "Rate of requests exceeds the allowed throughput."}
              : shape{503, "SlowDown", "Please reduce your request rate."};
      break;
    case fault_kind::throughput_exceeded:
      s = {400, "ProvisionedThroughputExceededException",
           "The level of configured provisioned throughput for the table was exceeded."};
      break;
    case fault_kind::internal_error:
      s = service == proxied_service::dynamodb
              ? shape{500, "InternalServerError", "Internal server error"}
              : shape{500, "InternalError", "We encountered an internal error. Please try again."};
      break;
    default:
      s = {503, "ServiceUnavailable", "Service is unable to handle the request."};
      break;
  }
  relayed_response r;
  r.status = s.status;
  const std::string request_id = "fault-proxy-" + std::to_string(serial);
  if (service == proxied_service::dynamodb) {
    r.body = R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + std::string(s.code) +
             R"(","message":")" + std::string(s.message) + R"("})";
    r.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"x-amzn-ErrorType", std::string(s.code)},
                 {"x-amzn-RequestId", request_id},
                 {"x-amz-crc32", crc32_text(r.body)}};
  } else {
    if (!head)
      r.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + std::string(s.code) +
               "</Code><Message>" + std::string(s.message) + "</Message><RequestId>" + request_id +
               "</RequestId></Error>";
    r.headers = {{"Content-Type", "application/xml"}, {"x-amz-request-id", request_id}};
  }
  return r;
}

/// Moves about half the items of each table in a BatchGetItem response to UnprocessedKeys (as
/// keys, with the request's other KeysAndAttributes settings); nullopt when there was nothing
/// to move or the bodies are not what BatchGetItem exchanges.
std::optional<std::string> move_to_unprocessed(std::string_view request_body,
                                               std::string_view response_body,
                                               std::mt19937_64& random) {
  boost::system::error_code ec;
  json::value request = json::parse(request_body, ec);
  if (ec || !request.is_object()) return std::nullopt;
  json::value response = json::parse(response_body, ec);
  if (ec || !response.is_object()) return std::nullopt;
  const json::object* request_items = nullptr;
  if (const json::value* v = request.as_object().if_contains("RequestItems"))
    request_items = v->if_object();
  json::object& out = response.as_object();
  if (request_items == nullptr || !out.contains("Responses")) return std::nullopt;
  // Inserting a member may rehash the object: take pointers into it only afterwards.
  if (!out.contains("UnprocessedKeys") || !out["UnprocessedKeys"].is_object())
    out["UnprocessedKeys"] = json::object{};
  json::object& unprocessed = out["UnprocessedKeys"].as_object();
  json::object* responses = out["Responses"].if_object();
  if (responses == nullptr) return std::nullopt;

  bool moved_any = false;
  for (auto& [table, items_value] : *responses) {
    json::array* items = items_value.if_array();
    const json::value* asked = request_items->if_contains(table);
    if (items == nullptr || items->empty() || asked == nullptr || !asked->is_object()) continue;
    const json::value* asked_keys = asked->as_object().if_contains("Keys");
    if (asked_keys == nullptr || !asked_keys->is_array() || asked_keys->as_array().empty() ||
        !asked_keys->as_array().front().is_object())
      continue;
    std::vector<std::string> key_names;
    for (const auto& [name, unused] : asked_keys->as_array().front().as_object())
      key_names.emplace_back(name);

    std::vector<std::size_t> order(items->size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), random);
    const std::size_t move_count = std::max<std::size_t>(1, items->size() / 2);
    std::vector<bool> moving(items->size(), false);
    for (std::size_t i = 0; i < move_count; ++i) moving[order[i]] = true;

    json::array kept;
    json::array moved_keys;
    for (std::size_t i = 0; i < items->size(); ++i) {
      json::value& item = (*items)[i];
      if (!moving[i]) {
        kept.push_back(std::move(item));
        continue;
      }
      json::object key;
      for (const std::string& name : key_names)
        if (const json::value* attribute = item.as_object().if_contains(name))
          key[name] = *attribute;
      moved_keys.push_back(std::move(key));
    }
    *items = std::move(kept);
    json::value& entry = unprocessed[table];
    if (entry.is_object() && entry.as_object().contains("Keys") &&
        entry.as_object()["Keys"].is_array()) {
      for (json::value& key : moved_keys) entry.as_object()["Keys"].as_array().push_back(key);
    } else {
      json::object settings = asked->as_object();
      settings["Keys"] = std::move(moved_keys);
      entry = std::move(settings);
    }
    moved_any = true;
  }
  if (!moved_any) return std::nullopt;
  return json::serialize(response);
}

/// The value of query parameter `name` in a request target ("" when present without value),
/// nullopt when absent.
std::optional<std::string> query_parameter(std::string_view target, std::string_view name) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return std::string(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string text_between(std::string_view body, std::string_view open, std::string_view close) {
  const auto start = body.find(open);
  if (start == std::string_view::npos) return {};
  const auto end = body.find(close, start + open.size());
  if (end == std::string_view::npos) return {};
  return std::string(body.substr(start + open.size(), end - start - open.size()));
}

void reset_connection(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().set_option(asio::socket_base::linger(true, 0), ignored);
  stream.socket().close(ignored);
}

void close_connection(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream.socket().close(ignored);
}

}  // namespace

class fault_proxy::impl {
 public:
  explicit impl(fault_proxy_options options)
      : options_(std::move(options)),
        share_(options_.fault_share),
        random_(options_.seed),
        listener_(options_.max_connections) {
    const http::endpoint upstream = http::endpoint::parse(options_.upstream_url);
    if (upstream.tls)
      throw std::invalid_argument("fault_proxy: upstream '" + options_.upstream_url +
                                  "' must be http://");
    const std::string host = upstream.host == "localhost" ? "127.0.0.1" : upstream.host;
    boost::system::error_code ec;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (ec || !address.is_loopback())
      throw std::invalid_argument("fault_proxy: upstream '" + options_.upstream_url +
                                  "' is not a loopback address");
    upstream_ = tcp::endpoint(address, upstream.port);
    check_share(options_.fault_share);
    if (options_.kinds.empty()) {
      for (fault_kind kind : all_fault_kinds())
        if (options_.service == proxied_service::dynamodb || !dynamodb_only(kind))
          options_.kinds.push_back(kind);
    }
    for (fault_kind kind : options_.kinds)
      if (options_.service == proxied_service::s3 && dynamodb_only(kind))
        throw std::invalid_argument("fault_proxy: fault '" + std::string(to_string(kind)) +
                                    "' applies to DynamoDB only");

    listener_.start([this](tcp::socket socket) { return serve(std::move(socket)); });
  }

  static void check_share(double share) {
    if (!(share >= 0.0 && share <= 1.0))
      throw std::invalid_argument("fault_proxy: fault share must be within [0, 1]");
  }

  std::uint16_t port() const noexcept { return listener_.port(); }
  void set_share(double share) {
    check_share(share);
    share_.store(share);
  }

  fault_counts counts() const {
    fault_counts c;
    c.requests = requests_;
    c.forwarded = forwarded_;
    c.upstream_failures = upstream_failures_;
    for (std::size_t k = 0; k < fault_kind_count; ++k) c.by_kind[k] = by_kind_[k];
    return c;
  }

  std::vector<open_multipart_upload> open_uploads() const {
    const std::lock_guard lock(uploads_mutex_);
    std::vector<open_multipart_upload> uploads;
    for (const auto& [where, reached_client] : open_uploads_)
      uploads.push_back({where.first, where.second, reached_client});
    return uploads;
  }

 private:
  // Which fault, if any, this request gets (drawn on the proxy thread, in arrival order).
  std::optional<fault_kind> decide(const proxied_request& request) {
    if (std::uniform_real_distribution<double>(0.0, 1.0)(random_) >= share_.load())
      return std::nullopt;
    const bool head = request.method() == beast_http::verb::head;
    const std::string operation =
        options_.service == proxied_service::dynamodb ? dynamodb_operation(request) : "";
    // An operation's own fault (one only it can get) is chosen half the time, so it occurs
    // often enough to matter; otherwise any applicable kind, uniformly.
    const auto own = operation == "BatchGetItem"         ? fault_kind::unprocessed_keys
                     : operation == "TransactWriteItems" ? fault_kind::dropped_transaction
                                                         : std::optional<fault_kind>{};
    std::vector<fault_kind> applicable;
    for (fault_kind kind : options_.kinds) {
      if (kind == fault_kind::unprocessed_keys && operation != "BatchGetItem") continue;
      if ((kind == fault_kind::dropped_transaction || kind == fault_kind::delayed_transaction) &&
          operation != "TransactWriteItems")
        continue;
      if (kind == fault_kind::truncated_body && head) continue;
      applicable.push_back(kind);
    }
    if (applicable.empty()) return std::nullopt;
    if (own && std::find(applicable.begin(), applicable.end(), *own) != applicable.end() &&
        std::bernoulli_distribution(0.5)(random_))
      return own;
    return applicable[std::uniform_int_distribution<std::size_t>(0,
                                                                 applicable.size() - 1)(random_)];
  }

  void counted(fault_kind kind) { ++by_kind_[static_cast<std::size_t>(kind)]; }

  asio::awaitable<void> serve(tcp::socket socket) {
    beast::tcp_stream down(std::move(socket));
    beast::flat_buffer down_buffer;
    std::optional<beast::tcp_stream> up;
    beast::flat_buffer up_buffer;
    asio::steady_timer stall_timer(listener_.io());

    for (;;) {
      beast_http::request_parser<beast_http::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      down.expires_after(options_.idle_timeout);
      auto [read_error, read_bytes] =
          co_await beast_http::async_read(down, down_buffer, parser, as_tuple_awaitable);
      if (read_error) break;
      down.expires_never();
      const std::size_t serial = ++requests_;
      proxied_request request = parser.release();
      const bool head = request.method() == beast_http::verb::head;
      const bool close = !request.keep_alive();
      std::optional<fault_kind> fault = decide(request);

      if (fault && is_error_response(*fault)) {
        counted(*fault);
        const std::string wire = error_response(options_.service, *fault, head, serial).wire(close);
        if (!co_await write_all(down, wire) || close) break;
        continue;
      }
      if (fault == fault_kind::reset_before_response) {
        counted(*fault);
        reset_connection(down);
        break;
      }

      if (fault == fault_kind::delayed_transaction) {
        stall_timer.expires_after(options_.stall_time);
        co_await stall_timer.async_wait(as_tuple_awaitable);
      }
      std::optional<relayed_response> response = co_await forward(up, up_buffer, request, head);
      if (!response) {
        ++upstream_failures_;
        relayed_response bad_gateway;
        bad_gateway.status = 502;
        bad_gateway.body = "fault_proxy: the upstream server did not answer";
        co_await write_all(down, bad_gateway.wire(true));
        break;
      }
      ++forwarded_;

      if (fault == fault_kind::corrupt_crc32 &&
          (response->body.empty() || response->header("x-amz-crc32").empty()))
        fault = fault_kind::reset_mid_response;
      if (fault == fault_kind::unprocessed_keys) {
        if (auto rewritten = move_to_unprocessed(request.body(), response->body, random_)) {
          response->body = std::move(*rewritten);
          response->set_header("x-amz-crc32", crc32_text(response->body));
        } else {
          fault = fault_kind::reset_mid_response;
        }
      }
      if (fault) counted(*fault);
      track_multipart(request, *response, !fault || fault == fault_kind::corrupt_crc32);

      if (!fault || fault == fault_kind::corrupt_crc32 || fault == fault_kind::unprocessed_keys) {
        if (fault == fault_kind::corrupt_crc32) response->body[response->body.size() / 2] ^= 0x01;
        if (!co_await write_all(down, response->wire(close)) || close) break;
        continue;
      }
      if (fault == fault_kind::reset_mid_response) {
        const std::string wire = response->wire(true);
        co_await write_all(down, std::string_view(wire).substr(0, wire.size() / 2));
        reset_connection(down);
        break;
      }
      if (fault == fault_kind::truncated_body) {
        const std::string wire = response->wire(true);
        co_await write_all(
            down, std::string_view(wire).substr(0, wire.size() - response->body.size() / 2 - 1));
        close_connection(down);
        break;
      }
      if (fault == fault_kind::stall) {
        stall_timer.expires_after(options_.stall_time);
        co_await stall_timer.async_wait(as_tuple_awaitable);
      }
      // stall (once the time has passed), dropped_transaction and delayed_transaction: the
      // response is lost.
      reset_connection(down);
      break;
    }
    close_connection(down);
    if (up) close_connection(*up);
  }

  // Writes to a client, bounded like the upstream exchanges (a client that stops reading
  // cannot hold the proxy).
  asio::awaitable<bool> write_all(beast::tcp_stream& stream, std::string_view bytes) {
    stream.expires_after(options_.upstream_timeout);
    auto [ec, written] =
        co_await asio::async_write(stream, asio::buffer(bytes), as_tuple_awaitable);
    stream.expires_never();
    co_return !ec;
  }

  // Sends the request upstream and reads the whole response, on the connection kept for this
  // client connection; a reused connection the server has closed is replaced once.
  asio::awaitable<std::optional<relayed_response>> forward(std::optional<beast::tcp_stream>& up,
                                                           beast::flat_buffer& buffer,
                                                           proxied_request& request, bool head) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = up.has_value();
      if (!up) {
        up.emplace(listener_.io());
        up->expires_after(options_.upstream_timeout);
        auto [connect_error] = co_await up->async_connect(upstream_, as_tuple_awaitable);
        if (connect_error) {
          up.reset();
          co_return std::nullopt;
        }
        boost::system::error_code ignored;
        up->socket().set_option(tcp::no_delay(true), ignored);
        buffer.clear();
      }
      up->expires_after(options_.upstream_timeout);
      request.keep_alive(true);
      auto [write_error, written] =
          co_await beast_http::async_write(*up, request, as_tuple_awaitable);
      beast_http::response_parser<beast_http::string_body> parser;
      parser.body_limit(options_.max_body_bytes);
      if (head) parser.skip(true);
      boost::system::error_code read_error = write_error;
      if (!write_error)
        std::tie(read_error, std::ignore) =
            co_await beast_http::async_read(*up, buffer, parser, as_tuple_awaitable);
      if (read_error) {
        close_connection(*up);
        up.reset();
        if (reused) continue;
        co_return std::nullopt;
      }
      up->expires_never();
      auto& in = parser.get();
      relayed_response out;
      out.status = in.result_int();
      for (const auto& field : in) {
        const auto name = field.name();
        if (name == beast_http::field::content_length ||
            name == beast_http::field::transfer_encoding || name == beast_http::field::connection ||
            name == beast_http::field::keep_alive)
          continue;
        out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      if (head) {
        out.head_content_length = std::string(in[beast_http::field::content_length]);
        if (out.head_content_length->empty()) out.head_content_length = "0";
      } else {
        out.body = std::move(in.body());
      }
      if (!in.keep_alive()) {
        close_connection(*up);
        up.reset();
      }
      co_return out;
    }
    co_return std::nullopt;
  }

  // Learns from the server's answers which multipart uploads it holds open, and whether the
  // client got the answer that created one.
  void track_multipart(const proxied_request& request, const relayed_response& response,
                       bool delivered) {
    if (options_.service != proxied_service::s3) return;
    const std::string_view target = request.target();
    const std::string path(target.substr(0, target.find('?')));
    const bool ok = response.status >= 200 && response.status < 300;
    const std::lock_guard lock(uploads_mutex_);
    if (request.method() == beast_http::verb::post && query_parameter(target, "uploads")) {
      const std::string id = text_between(response.body, "<UploadId>", "</UploadId>");
      if (ok && !id.empty()) open_uploads_[{path, id}] = delivered;
      return;
    }
    const std::optional<std::string> id = query_parameter(target, "uploadId");
    if (!id || query_parameter(target, "partNumber")) return;
    const bool completed =
        request.method() == beast_http::verb::post && ok &&
        response.body.find("<CompleteMultipartUploadResult") != std::string::npos;
    const bool aborted = request.method() == beast_http::verb::delete_ && ok;
    const bool gone = response.status == 404;
    if (completed || aborted || gone) open_uploads_.erase({path, *id});
  }

  fault_proxy_options options_;
  std::atomic<double> share_;
  std::mt19937_64 random_;  // used on the proxy thread only
  tcp::endpoint upstream_;
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> forwarded_{0};
  std::atomic<std::size_t> upstream_failures_{0};
  std::array<std::atomic<std::size_t>, fault_kind_count> by_kind_{};
  mutable std::mutex uploads_mutex_;
  std::map<std::pair<std::string, std::string>, bool> open_uploads_;  // (path, id) -> delivered
  // Declared after everything the connection coroutines touch: destroying it destroys them.
  loopback_listener listener_;
};

fault_proxy::fault_proxy(fault_proxy_options options)
    : impl_(std::make_unique<impl>(std::move(options))) {}

fault_proxy::~fault_proxy() = default;

std::string fault_proxy::url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port());
}
std::uint16_t fault_proxy::port() const noexcept {
  return impl_->port();
}
void fault_proxy::set_fault_share(double share) {
  impl_->set_share(share);
}
fault_counts fault_proxy::counts() const {
  return impl_->counts();
}
std::size_t fault_proxy::count(fault_kind kind) const {
  return impl_->counts().of(kind);
}
std::vector<open_multipart_upload> fault_proxy::open_multipart_uploads() const {
  return impl_->open_uploads();
}

}  // namespace evstore::test
