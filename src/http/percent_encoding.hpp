#pragma once
// RFC 3986 percent-encoding with the unreserved set (A-Z a-z 0-9 - . _ ~): the encoding SigV4
// canonicalises with and the one S3 object keys travel in, so both layers share it.

#include <string>
#include <string_view>

namespace evstore::http {

/// Appends `text` with every byte outside the unreserved set (and '/' too unless `keep_slash`)
/// written as "%XX", uppercase hex.
void append_percent_encoded(std::string& out, std::string_view text, bool keep_slash = false);

/// The value of a hexadecimal digit (either case), or -1 for any other character.
int hex_digit_value(char c) noexcept;

}  // namespace evstore::http
