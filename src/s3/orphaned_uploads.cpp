#include "s3/orphaned_uploads.hpp"

#include <algorithm>

#include "evstore/s3/error.hpp"
#include "s3/key_encoding.hpp"
#include "s3/xml_reader.hpp"

namespace evstore::s3 {

http::request list_multipart_uploads_request(std::string_view bucket_target, std::string_view key) {
  if (key.empty())
    throw boost::system::system_error(make_error_code(errc::invalid_argument),
                                      "S3 ListMultipartUploads of an upload needs its key");
  return {.method = "GET",
          .target = std::string(bucket_target) +
                    "?encoding-type=url&prefix=" + encode_query_value(key) + "&uploads",
          .headers = {},
          .body = {}};
}

std::vector<listed_upload> parse_list_multipart_uploads(const http::response& response) {
  const xml::element root = xml::parse(response.body);
  if (root.name != "ListMultipartUploadsResult")
    throw boost::system::system_error(make_error_code(errc::unexpected_response),
                                      "S3 ListMultipartUploads response is <" + root.name +
                                          ">, not <ListMultipartUploadsResult>");
  const bool url_encoded = root.text_or("EncodingType") == "url";
  std::vector<listed_upload> uploads;
  for (const xml::element* upload : root.all("Upload")) {
    const std::string& key = xml::required_text(*upload, "Key");
    uploads.push_back({.key = url_encoded ? decode_listed_value(key) : key,
                       .upload_id = xml::required_text(*upload, "UploadId"),
                       .initiated = xml::required_text(*upload, "Initiated")});
  }
  return uploads;
}

std::vector<listed_upload> uploads_started_before(std::span<const listed_upload> listed,
                                                  std::string_view key,
                                                  std::string_view our_upload_id) {
  const auto ours = std::find_if(listed.begin(), listed.end(), [&](const listed_upload& u) {
    return u.key == key && u.upload_id == our_upload_id;
  });
  std::vector<listed_upload> earlier;
  if (ours == listed.end()) return earlier;
  for (const listed_upload& upload : listed) {
    // Timestamps of one listing share one format, so they order as text.
    if (upload.key == key && upload.upload_id != our_upload_id && !upload.initiated.empty() &&
        upload.initiated <= ours->initiated)
      earlier.push_back(upload);
  }
  return earlier;
}

}  // namespace evstore::s3
