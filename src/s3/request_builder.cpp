#include "s3/request_builder.hpp"

#include <utility>

#include "evstore/s3/error.hpp"
#include "s3/content_md5.hpp"
#include "s3/key_encoding.hpp"

namespace evstore::s3 {

namespace {

constexpr std::string_view s3_namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

[[noreturn]] void invalid(std::string what) {
  throw boost::system::system_error(make_error_code(errc::invalid_argument), what);
}

void check_key(std::string_view key) {
  if (key.empty()) invalid("S3 object key is empty: give a non-empty key");
}

// Escapes text for an XML element. A carriage return is written as a reference, or the
// server's XML parser would turn it into a line feed.
void append_xml_text(std::string& out, std::string_view text, std::string_view what) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n')
          invalid(std::string(what) + " holds a control character that XML cannot carry");
        out += c;
    }
  }
}

http::request make(std::string method, std::string target) {
  return {.method = std::move(method), .target = std::move(target), .headers = {}, .body = {}};
}

void add_put_headers(http::request& req, const put_options& options) {
  if (!options.content_type.empty()) req.headers.push_back({"Content-Type", options.content_type});
  if (!options.acl.empty()) req.headers.push_back({"x-amz-acl", options.acl});
}

std::string upload_query(std::string_view upload_id) {
  if (upload_id.empty()) invalid("S3 multipart upload id is empty");
  return "uploadId=" + encode_query_value(upload_id);
}

}  // namespace

void check_bucket_name(std::string_view bucket) {
  if (bucket.empty()) invalid("S3 bucket name is empty");
  for (char c : bucket) {
    bool valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
    if (!valid)
      invalid("S3 bucket name \"" + std::string(bucket) +
              "\" holds a character other than letters, digits, '.', '-' and '_'");
  }
}

request_builder::request_builder(std::string bucket, bool path_style)
    : bucket_(std::move(bucket)), path_style_(path_style) {
  check_bucket_name(bucket_);
}

std::string request_builder::bucket_target() const {
  return path_style_ ? "/" + bucket_ : std::string("/");
}

std::string request_builder::object_target(std::string_view key) const {
  check_key(key);
  return (path_style_ ? "/" + bucket_ + "/" : std::string("/")) + encode_key(key);
}

http::request request_builder::head_bucket() const {
  return make("HEAD", bucket_target());
}

http::request request_builder::create_bucket(std::string_view region) const {
  http::request req = make("PUT", bucket_target());
  if (!region.empty() && region != "us-east-1") {
    req.body = "<CreateBucketConfiguration xmlns=\"";
    req.body += s3_namespace;
    req.body += "\"><LocationConstraint>";
    append_xml_text(req.body, region, "region");
    req.body += "</LocationConstraint></CreateBucketConfiguration>";
    req.headers.push_back({"Content-Type", "application/xml"});
  }
  return req;
}

http::request request_builder::delete_bucket() const {
  return make("DELETE", bucket_target());
}

http::request request_builder::put_object(std::string_view key, std::string body,
                                          const put_options& options) const {
  http::request req = make("PUT", object_target(key));
  add_put_headers(req, options);
  req.body = std::move(body);
  return req;
}

http::request request_builder::get_object(std::string_view key) const {
  return make("GET", object_target(key));
}

http::request request_builder::get_object(std::string_view key, std::uint64_t max_size) const {
  http::request req = make("GET", object_target(key));
  req.headers.push_back({"Range", "bytes=0-" + std::to_string(max_size)});
  return req;
}

http::request request_builder::head_object(std::string_view key) const {
  return make("HEAD", object_target(key));
}

http::request request_builder::delete_object(std::string_view key) const {
  return make("DELETE", object_target(key));
}

http::request request_builder::delete_objects(std::span<const std::string> keys) const {
  if (keys.empty() || keys.size() > max_keys_per_delete)
    invalid("S3 DeleteObjects takes 1 to 1000 keys, not " + std::to_string(keys.size()));
  http::request req = make("POST", bucket_target() + "?delete");
  req.body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"";
  req.body += s3_namespace;
  req.body += "\"><Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    check_key(key);
    req.body += "<Object><Key>";
    append_xml_text(req.body, key, "S3 object key");
    req.body += "</Key></Object>";
  }
  req.body += "</Delete>";
  req.headers.push_back({"Content-Type", "application/xml"});
  req.headers.push_back({"Content-MD5", content_md5(req.body)});
  return req;
}

http::request request_builder::list_objects_v2(const list_request& request) const {
  std::string target = bucket_target() + "?list-type=2&encoding-type=url";
  if (!request.continuation_token.empty())
    target += "&continuation-token=" + encode_query_value(request.continuation_token);
  if (request.max_keys) target += "&max-keys=" + std::to_string(*request.max_keys);
  if (!request.prefix.empty()) target += "&prefix=" + encode_query_value(request.prefix);
  if (!request.start_after.empty())
    target += "&start-after=" + encode_query_value(request.start_after);
  return make("GET", std::move(target));
}

http::request request_builder::create_multipart_upload(std::string_view key,
                                                       const put_options& options) const {
  http::request req = make("POST", object_target(key) + "?uploads");
  add_put_headers(req, options);
  return req;
}

http::request request_builder::upload_part(std::string_view key, std::string_view upload_id,
                                           unsigned part_number, std::string body) const {
  if (part_number < 1 || part_number > max_part_count)
    invalid("S3 part number " + std::to_string(part_number) + " is outside 1 to 10000");
  http::request req =
      make("PUT", object_target(key) + "?partNumber=" + std::to_string(part_number) + "&" +
                      upload_query(upload_id));
  req.headers.push_back({"Content-Type", "application/octet-stream"});
  req.body = std::move(body);
  return req;
}

http::request request_builder::complete_multipart_upload(
    std::string_view key, std::string_view upload_id, std::span<const completed_part> parts) const {
  if (parts.empty()) invalid("S3 CompleteMultipartUpload needs at least one part");
  http::request req = make("POST", object_target(key) + "?" + upload_query(upload_id));
  req.body = "<CompleteMultipartUpload xmlns=\"";
  req.body += s3_namespace;
  req.body += "\">";
  unsigned previous = 0;
  for (const completed_part& part : parts) {
    if (part.part_number <= previous)
      invalid("S3 CompleteMultipartUpload parts must be in ascending part number order");
    previous = part.part_number;
    req.body += "<Part><PartNumber>" + std::to_string(part.part_number) + "</PartNumber><ETag>";
    append_xml_text(req.body, part.etag, "part ETag");
    req.body += "</ETag></Part>";
  }
  req.body += "</CompleteMultipartUpload>";
  req.headers.push_back({"Content-Type", "application/xml"});
  return req;
}

http::request request_builder::abort_multipart_upload(std::string_view key,
                                                      std::string_view upload_id) const {
  return make("DELETE", object_target(key) + "?" + upload_query(upload_id));
}

}  // namespace evstore::s3
