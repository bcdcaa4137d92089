#pragma once
// CRC-32 (the zlib / IEEE 802.3 one: reflected polynomial 0xEDB88320), as DynamoDB sends in the
// x-amz-crc32 header. Inputs of 64 bytes and more are folded with carry-less multiplication
// (PCLMULQDQ) on x86-64 CPUs that have it; the rest (and other CPUs) use slicing-by-8: eight
// table lookups per 8 bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace evstore::dynamodb {

/// Continues a CRC: crc32(b, crc32(a)) == crc32(a + b). Start from 0.
std::uint32_t crc32(const void* data, std::size_t size, std::uint32_t crc = 0) noexcept;

inline std::uint32_t crc32(std::string_view data, std::uint32_t crc = 0) noexcept {
  return crc32(data.data(), data.size(), crc);
}

}  // namespace evstore::dynamodb
