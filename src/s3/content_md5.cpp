#include "s3/content_md5.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

#include "aws/base64.hpp"

namespace evstore::s3 {

std::string content_md5(std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(context.get(), body.data(), body.size()) != 1 ||
      EVP_DigestFinal_ex(context.get(), digest, &digest_size) != 1)
    throw std::runtime_error(
        "OpenSSL could not compute the MD5 that S3 requires as Content-MD5 (is MD5 disabled, "
        "e.g. by a FIPS configuration?)");
  return aws::detail::base64_encode(digest, digest_size);
}

}  // namespace evstore::s3
