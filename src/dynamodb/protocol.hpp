#pragma once
// The DynamoDB JSON 1.0 protocol around the operation bodies: the HTTP request, the x-amz-crc32
// check, and error responses. Pure functions: the client composes them with the aws layer.

#include <string>
#include <string_view>

#include "evstore/dynamodb/error.hpp"
#include "evstore/http/message.hpp"

namespace evstore::dynamodb {

/// POST / with Content-Type application/x-amz-json-1.0 and
/// X-Amz-Target: DynamoDB_20120810.<operation>.
http::request make_http_request(std::string_view operation, std::string body);

/// Whether the body matches the x-amz-crc32 header; true when the header is absent (the check
/// is then impossible), false when it is not a decimal 32-bit number.
bool crc32_matches(const http::response& response) noexcept;

/// Throws system_error(errc::crc32_mismatch), naming the operation, when !crc32_matches.
void check_crc32(const http::response& response, std::string_view operation);

/// The error code of a non-2xx response: the part of `__type` after '#' (all of it when there
/// is no '#'); "" when the body has none or does not match its checksum. Never throws: this is
/// the aws::error_code_reader the service client classifies retries with.
std::string read_error_code(const http::response& response) noexcept;

/// The service_error of a non-2xx response: code, message (`message` or `Message`),
/// CancellationReasons, status and x-amzn-RequestId. A body that is not a DynamoDB error
/// yields code name "" and a message describing the body.
service_error parse_service_error(const http::response& response);

}  // namespace evstore::dynamodb
