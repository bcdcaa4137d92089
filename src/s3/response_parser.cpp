#include "s3/response_parser.hpp"

#include <charconv>
#include <string_view>
#include <utility>

#include "evstore/s3/error.hpp"
#include "s3/key_encoding.hpp"
#include "s3/xml_reader.hpp"

namespace evstore::s3 {

namespace {

[[noreturn]] void unexpected(std::string what) {
  throw boost::system::system_error(make_error_code(errc::unexpected_response), what);
}

std::uint64_t parse_number(std::string_view text, std::string_view what) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
    unexpected("S3 response has " + std::string(what) + " \"" + std::string(text.substr(0, 40)) +
               "\", not a number");
  return value;
}

xml::element parse_root(const http::response& response, std::string_view operation,
                        std::string_view root_name) {
  xml::element root = xml::parse(response.body);
  if (root.name != root_name)
    unexpected("S3 " + std::string(operation) + " response is <" + root.name + ">, not <" +
               std::string(root_name) + ">");
  return root;
}

struct content_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t total = 0;
};

// "bytes <first>-<last>/<total>"
content_range parse_content_range(std::string_view header) {
  constexpr std::string_view unit = "bytes ";
  std::size_t dash = header.find('-');
  std::size_t slash = header.find('/');
  if (!header.starts_with(unit) || dash == std::string_view::npos ||
      slash == std::string_view::npos || dash > slash)
    unexpected("S3 GetObject response has Content-Range \"" + std::string(header.substr(0, 60)) +
               "\", not \"bytes first-last/total\"");
  content_range range;
  range.first = parse_number(header.substr(unit.size(), dash - unit.size()), "a range start");
  range.last = parse_number(header.substr(dash + 1, slash - dash - 1), "a range end");
  range.total = parse_number(header.substr(slash + 1), "a total size");
  return range;
}

[[noreturn]] void too_large(std::uint64_t size, std::uint64_t max_size, bool at_least) {
  throw boost::system::system_error(make_error_code(errc::object_too_large),
                                    "S3 object is " + std::string(at_least ? "more than " : "") +
                                        std::to_string(size) + " bytes, above the limit of " +
                                        std::to_string(max_size) +
                                        " bytes: raise the limit or read it in ranges");
}

}  // namespace

object_info parse_object_info(const http::response& response) {
  object_info info;
  info.content_type = std::string(response.header("Content-Type"));
  info.etag = std::string(response.header("ETag"));
  info.last_modified = std::string(response.header("Last-Modified"));
  if (response.status == 206) {
    info.size = parse_content_range(response.header("Content-Range")).total;
  } else {
    std::string_view length = response.header("Content-Length");
    info.size = length.empty() ? response.body.size() : parse_number(length, "a Content-Length");
  }
  return info;
}

object parse_bounded_object(http::response response, std::uint64_t max_size) {
  object result{.info = parse_object_info(response), .body = std::move(response.body)};
  if (response.status == 206) {
    content_range range = parse_content_range(response.header("Content-Range"));
    if (range.total > max_size) too_large(range.total, max_size, false);
    if (range.first != 0 || result.body.size() != range.total)
      unexpected("S3 GetObject returned bytes " + std::to_string(range.first) + "-" +
                 std::to_string(range.last) + " of " + std::to_string(range.total) +
                 " with a body of " + std::to_string(result.body.size()) +
                 " bytes instead of the whole object");
  } else if (result.body.size() > max_size) {
    // The server ignored the Range header and sent everything.
    too_large(result.body.size(), max_size, false);
  }
  result.info.size = result.body.size();
  return result;
}

std::string parse_etag(const http::response& response) {
  std::string_view etag = response.header("ETag");
  if (etag.empty()) unexpected("S3 response lacks the ETag header");
  return std::string(etag);
}

list_page parse_list_objects_v2(const http::response& response) {
  xml::element root = parse_root(response, "ListObjectsV2", "ListBucketResult");
  const bool url_encoded = root.text_or("EncodingType") == "url";
  auto decoded = [&](const std::string& text) {
    return url_encoded ? decode_listed_value(text) : text;
  };
  list_page page;
  const std::string& truncated = xml::required_text(root, "IsTruncated");
  if (truncated != "true" && truncated != "false")
    unexpected("S3 ListObjectsV2 response has IsTruncated \"" + truncated.substr(0, 40) +
               "\", not true or false");
  page.truncated = truncated == "true";
  if (page.truncated) {
    page.next_continuation_token = xml::required_text(root, "NextContinuationToken");
    if (page.next_continuation_token.empty())
      unexpected("S3 ListObjectsV2 response is truncated but has an empty NextContinuationToken");
  }
  for (const xml::element* contents : root.all("Contents")) {
    object_summary summary;
    summary.key = decoded(xml::required_text(*contents, "Key"));
    summary.size = parse_number(xml::required_text(*contents, "Size"), "a Size");
    summary.etag = contents->text_or("ETag");
    summary.last_modified = contents->text_or("LastModified");
    summary.storage_class = contents->text_or("StorageClass");
    page.objects.push_back(std::move(summary));
  }
  return page;
}

std::vector<delete_failure> parse_delete_objects(const http::response& response) {
  xml::element root = parse_root(response, "DeleteObjects", "DeleteResult");
  std::vector<delete_failure> failures;
  for (const xml::element* error : root.all("Error")) {
    failures.push_back({.key = xml::required_text(*error, "Key"),
                        .code = xml::required_text(*error, "Code"),
                        .message = std::string(error->text_or("Message"))});
  }
  return failures;
}

std::string parse_create_multipart_upload(const http::response& response) {
  xml::element root =
      parse_root(response, "CreateMultipartUpload", "InitiateMultipartUploadResult");
  const std::string& upload_id = xml::required_text(root, "UploadId");
  if (upload_id.empty()) unexpected("S3 CreateMultipartUpload response has an empty UploadId");
  return upload_id;
}

std::string parse_complete_multipart_upload(const http::response& response) {
  xml::element root = xml::parse(response.body);
  if (root.name == "Error") throw_service_error("CompleteMultipartUpload", response);
  if (root.name != "CompleteMultipartUploadResult")
    unexpected("S3 CompleteMultipartUpload response is <" + root.name +
               ">, not <CompleteMultipartUploadResult>");
  return xml::required_text(root, "ETag");
}

}  // namespace evstore::s3
