#include "dynamodb/protocol.hpp"

#include <charconv>
#include <optional>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/value.hpp>

#include "attribute_json.hpp"
#include "aws/json_document.hpp"
#include "dynamodb/crc32.hpp"
#include "json_path.hpp"

namespace evstore::dynamodb {

using detail::json_path;

http::request make_http_request(std::string_view operation, std::string body) {
  http::request req;
  req.method = "POST";
  req.target = "/";
  std::string target = "DynamoDB_20120810.";
  target += operation;
  req.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", std::move(target)}};
  req.body = std::move(body);
  return req;
}

bool crc32_matches(const http::response& response) noexcept {
  const std::string_view header = response.header("x-amz-crc32");
  if (header.empty()) return true;
  std::uint32_t expected = 0;
  const auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), expected);
  if (ec != std::errc{} || end != header.data() + header.size()) return false;
  return crc32(response.body) == expected;
}

void check_crc32(const http::response& response, std::string_view operation) {
  if (crc32_matches(response)) return;
  std::string what = "DynamoDB ";
  what += operation;
  what += ": the response body (";
  what += std::to_string(response.body.size());
  what += " bytes, HTTP ";
  what += std::to_string(response.status);
  what += ") does not match its x-amz-crc32 header; it was corrupted or truncated on the way";
  throw boost::system::system_error(make_error_code(errc::crc32_mismatch), what);
}

namespace {

std::string_view code_of_type(std::string_view type) noexcept {
  const auto hash = type.rfind('#');
  return hash == std::string_view::npos ? type : type.substr(hash + 1);
}

// The error body parsed into `resource`'s memory; null when it is not JSON.
boost::json::value parse_error_body(const http::response& response,
                                    boost::json::monotonic_resource& resource) {
  std::string error;
  // Cancellation reasons may carry deeply nested items.
  std::optional<boost::json::value> document =
      aws::detail::parse_json(response.body, error, boost::json::storage_ptr(&resource), 256);
  if (!document) return nullptr;
  return std::move(*document);
}

std::string string_member(const boost::json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (v == nullptr || !v->is_string()) return {};
  return std::string(v->get_string());
}

cancellation_reason parse_reason(const boost::json::value& v, const json_path& path) {
  const auto& o = detail::expect_object(v, path);
  cancellation_reason out;
  out.code =
      std::string(detail::expect_string(detail::require(o, "Code", path), path.member("Code")));
  if (const auto* message = o.if_contains("Message"); message && !message->is_null()) {
    out.message = std::string(detail::expect_string(*message, path.member("Message")));
  }
  if (const auto* item = o.if_contains("Item"); item && !item->is_null()) {
    out.item = detail::parse_item_at(*item, path.member("Item"));
  }
  return out;
}

}  // namespace

std::string read_error_code(const http::response& response) noexcept {
  try {
    if (!crc32_matches(response)) return {};
    boost::json::monotonic_resource resource;
    const boost::json::value document = parse_error_body(response, resource);
    const auto* o = document.if_object();
    if (o == nullptr) return {};
    return std::string(code_of_type(string_member(*o, "__type")));
  } catch (...) {  // only allocation can fail here; the status then decides
    return {};
  }
}

service_error parse_service_error(const http::response& response) {
  std::string request_id(response.header("x-amzn-RequestId"));
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_error_body(response, resource);
  const auto* o = document.if_object();
  if (o == nullptr || !o->contains("__type")) {
    std::string what = "the error response is not a DynamoDB error (";
    what += std::to_string(response.body.size());
    what += o == nullptr ? " bytes, not a JSON object)" : " bytes, no __type)";
    return service_error("", std::move(what), response.status, std::move(request_id));
  }
  std::string code(code_of_type(string_member(*o, "__type")));
  std::string message = string_member(*o, "message");
  if (message.empty()) message = string_member(*o, "Message");
  std::vector<cancellation_reason> reasons;
  if (const auto* list = o->if_contains("CancellationReasons"); list && !list->is_null()) {
    const json_path path{nullptr, "CancellationReasons"};
    try {
      const auto& array = detail::expect_array(*list, path);
      reasons.reserve(array.size());
      for (std::size_t i = 0; i < array.size(); ++i) {
        reasons.push_back(parse_reason(array[i], path.element(i)));
      }
    } catch (const boost::system::system_error& e) {
      // Keep the service's error (it is what the caller must know) and say what was wrong.
      reasons.clear();
      message += " [cancellation reasons unreadable: ";
      message += e.what();
      message += ']';
    }
  }
  std::optional<item> old_item;
  if (const auto* stored = o->if_contains("Item"); stored && !stored->is_null()) {
    try {
      old_item = detail::parse_item_at(*stored, json_path{nullptr, "Item"});
    } catch (const boost::system::system_error& e) {
      message += " [item unreadable: ";
      message += e.what();
      message += ']';
    }
  }
  return service_error(std::move(code), std::move(message), response.status, std::move(request_id),
                       std::move(reasons), std::move(old_item));
}

}  // namespace evstore::dynamodb
