#pragma once
// The Content-MD5 header value (base64 of the body's MD5), which S3 requires on DeleteObjects.

#include <string>
#include <string_view>

namespace evstore::s3 {

/// Base64 of the MD5 digest of `body`, computed with OpenSSL EVP.
std::string content_md5(std::string_view body);

}  // namespace evstore::s3
