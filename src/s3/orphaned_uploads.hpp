#pragma once
// Multipart uploads a lost CreateMultipartUpload answer left behind: when the client resent a
// CreateMultipartUpload, the server may hold an upload of the same key whose id never reached
// the client. ListMultipartUploads (request and response here) shows them. Pure logic.
//
// The emulators used in tests lack ListMultipartUploads (fauxqs answers it as a ListObjects);
// a bucket lifecycle rule (AbortIncompleteMultipartUpload) stays the backstop for uploads no
// client can find, e.g. when every CreateMultipartUpload answer was lost.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/http/message.hpp"

namespace evstore::s3 {

/// An upload as ListMultipartUploads lists it.
struct listed_upload {
  std::string key;
  std::string upload_id;
  std::string initiated;  ///< ISO 8601, as the server sends it
};

/// ListMultipartUploads of the uploads whose keys start with `key` (S3 lists at most 1000;
/// encoding-type=url so that any key can be listed). `bucket_target` is the request target of
/// the bucket: "/<bucket>" path-style, "/" virtual-hosted.
http::request list_multipart_uploads_request(std::string_view bucket_target, std::string_view key);

/// The uploads a ListMultipartUploads response lists, keys decoded. Throws system_error with
/// s3::errc (malformed_xml, unexpected_response) for anything else, e.g. a server that answers
/// with a ListObjects result.
std::vector<listed_upload> parse_list_multipart_uploads(const http::response& response);

/// The uploads of exactly `key`, other than `our_upload_id`, initiated no later than ours:
/// those an earlier CreateMultipartUpload of ours may have started. None when ours is not
/// listed (nothing to compare with). A concurrent writer that started an upload of the same
/// key first is among them: callers use this where a key names one content (an event's
/// payload), so that writer's upload is a duplicate of ours.
std::vector<listed_upload> uploads_started_before(std::span<const listed_upload> listed,
                                                  std::string_view key,
                                                  std::string_view our_upload_id);

}  // namespace evstore::s3
