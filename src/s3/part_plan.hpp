#pragma once
// How a body is cut into multipart upload parts. Pure logic.

#include <cstdint>
#include <string_view>
#include <vector>

namespace evstore::s3 {

/// The part size for an object of `object_size` bytes: `configured`, grown when the object
/// would need more than max_part_count parts. Throws system_error with
/// s3::errc::invalid_argument when `configured` is outside min_part_size..max_part_size, or
/// when the object is larger than max_object_size (5 TiB).
std::uint64_t choose_part_size(std::uint64_t object_size, std::uint64_t configured);

/// `body` cut into consecutive parts of `part_size` bytes, the last one shorter; one empty part
/// for an empty body. The views point into `body`.
std::vector<std::string_view> split_into_parts(std::string_view body, std::uint64_t part_size);

}  // namespace evstore::s3
