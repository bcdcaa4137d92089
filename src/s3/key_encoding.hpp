#pragma once
// Percent-encoding of object keys and query values, and decoding of keys that S3 lists with
// encoding-type=url. Keys are opaque bytes: every byte outside the unreserved set
// (A-Z a-z 0-9 - . _ ~) is encoded, so spaces, '+', '%', '#', '?', "../" and UTF-8 round-trip.
// The S3 signer uses the path as sent, so a path is encoded exactly once, here.

#include <string>
#include <string_view>

namespace evstore::s3 {

/// Encodes a key for the request path: every byte except unreserved ones and '/'.
std::string encode_key(std::string_view key);

/// Encodes a query parameter name or value: every byte except unreserved ones.
std::string encode_query_value(std::string_view value);

/// Decodes a value of a response sent with encoding-type=url: "%XX" escapes and '+' for a
/// space. Throws system_error with s3::errc::unexpected_response on a malformed escape.
std::string decode_listed_value(std::string_view value);

}  // namespace evstore::s3
