#pragma once
// Base64 (RFC 4648, standard alphabet, with padding): the library's one implementation, for
// DynamoDB's binary attributes and S3's Content-MD5.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::aws::detail {

std::string base64_encode(const std::uint8_t* data, std::size_t size);

/// The bytes `text` encodes; nullopt, with `why` saying what is wrong, for a character outside
/// the alphabet, bad padding or a length that is not a multiple of 4.
std::optional<std::vector<std::uint8_t>> base64_decode(std::string_view text, std::string& why);

}  // namespace evstore::aws::detail
