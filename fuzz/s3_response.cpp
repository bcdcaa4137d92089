// Fuzzes the S3 result parsers that read headers as well as bodies (HeadObject, GetObject with
// its Content-Range and size limit, ETag) on whole HTTP responses, and the error parser on
// whatever status the response has. Seeds: the recorded responses in test/data/s3 as they were
// on the wire.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "evstore/http/message.hpp"
#include "evstore/s3/error.hpp"
#include "fuzz_support.hpp"
#include "s3/response_parser.hpp"

namespace s3 = evstore::s3;
namespace beast_http = boost::beast::http;
using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

/// The response as the http layer hands it over, or nullopt when it is not HTTP/1.1 (that
/// part is the http_response target's).
std::optional<evstore::http::response> read_response(std::string_view raw) {
  beast_http::response_parser<beast_http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(1024 * 1024);
  parser.eager(true);
  boost::system::error_code ec;
  boost::asio::const_buffer rest(raw.data(), raw.size());
  while (rest.size() > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(rest, ec);
    if (ec) return std::nullopt;
    rest += used;
  }
  if (!parser.is_done()) {
    parser.put_eof(ec);
    if (ec || !parser.is_done()) return std::nullopt;
  }
  auto& message = parser.get();
  evstore::http::response out;
  out.status = message.result_int();
  for (const auto& field : message) {
    out.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  out.body = std::move(message.body());
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::optional<evstore::http::response> response =
      read_response(evstore::fuzz::as_text(data, size));
  if (!response) return 0;
  const auto& category = s3::error_category();

  accepts(category, [&] { s3::parse_object_info(*response); });
  accepts(category, [&] { s3::parse_etag(*response); });
  for (const std::uint64_t max_size : {std::uint64_t{16}, std::uint64_t{1} << 20}) {
    accepts(category, [&] {
      const s3::object object = s3::parse_bounded_object(*response, max_size);
      if (object.body.size() > max_size) fail("an object above the size limit accepted");
      if (object.info.size != object.body.size()) fail("object size differs from its body");
    });
  }
  accepts(category, [&] { s3::parse_list_objects_v2(*response); });
  accepts(category, [&] { s3::parse_complete_multipart_upload(*response); });

  const s3::error_details details = s3::parse_error_response(*response);
  if (details.code.empty()) fail("an S3 error without a code");
  return 0;
}
