#pragma once
// The ETag S3 gives an object assembled by CompleteMultipartUpload, computed from the parts'
// bytes: it lets the client recognise its own object when the answer to a completion was lost.

#include <span>
#include <string>
#include <string_view>

namespace evstore::s3 {

/// Lower-case hex of the MD5 of the concatenated binary MD5 digests of `parts`, then "-" and
/// the part count (no quotes), as S3 computes it for objects without SSE-C or SSE-KMS. Digests
/// are taken from the bytes, not from the ETags UploadPart returned. Throws std::runtime_error
/// when OpenSSL cannot compute MD5 (e.g. a FIPS configuration).
std::string multipart_etag(std::span<const std::string_view> parts);

/// Whether `sent`, an ETag as S3 sends it (in double quotes, or bare), is `expected` (bare).
bool etag_matches(std::string_view sent, std::string_view expected) noexcept;

}  // namespace evstore::s3
