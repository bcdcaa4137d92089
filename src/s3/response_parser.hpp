#pragma once
// Reads the successful (2xx) responses of the S3 operations into typed values. Pure logic.
// Anything missing or malformed throws boost::system::system_error with s3::errc
// (malformed_xml, unexpected_response), naming the operation and what was wrong.

#include <cstdint>
#include <string>
#include <vector>

#include "evstore/http/message.hpp"
#include "evstore/s3/model.hpp"

namespace evstore::s3 {

/// HeadObject, or the headers of a GetObject response; for a 206 the size is the total of
/// Content-Range.
object_info parse_object_info(const http::response& response);

/// A GetObject response to request_builder::get_object(key, max_size) (a 200 or a 206).
/// Throws system_error with s3::errc::object_too_large when the object is larger than
/// `max_size`, and unexpected_response when the body is not the whole object.
object parse_bounded_object(http::response response, std::uint64_t max_size);

/// PutObject and UploadPart: the ETag header.
std::string parse_etag(const http::response& response);

/// ListObjectsV2; keys and prefixes are decoded when the response says EncodingType url.
list_page parse_list_objects_v2(const http::response& response);

/// DeleteObjects: the keys that could not be deleted (none when all were).
std::vector<delete_failure> parse_delete_objects(const http::response& response);

/// CreateMultipartUpload: the upload id.
std::string parse_create_multipart_upload(const http::response& response);

/// CompleteMultipartUpload: the object's ETag. S3 may report a failure as a 200 whose body is
/// an <Error>: that throws s3::service_error (retryable when S3 says InternalError or
/// SlowDown).
std::string parse_complete_multipart_upload(const http::response& response);

}  // namespace evstore::s3
