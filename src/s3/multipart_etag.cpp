#include "s3/multipart_etag.hpp"

#include <memory>
#include <stdexcept>

#include <openssl/evp.h>

namespace evstore::s3 {

namespace {

using md_context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

[[noreturn]] void throw_md5_unavailable() {
  throw std::runtime_error(
      "OpenSSL could not compute the MD5 digests of a multipart upload's ETag (is MD5 disabled, "
      "e.g. by a FIPS configuration?)");
}

// Appends the binary MD5 of `bytes` to `out`.
void append_md5(EVP_MD_CTX* context, std::string_view bytes, std::string& out) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_DigestInit_ex(context, EVP_md5(), nullptr) != 1 ||
      EVP_DigestUpdate(context, bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(context, digest, &digest_size) != 1)
    throw_md5_unavailable();
  out.append(reinterpret_cast<const char*>(digest), digest_size);
}

}  // namespace

std::string multipart_etag(std::span<const std::string_view> parts) {
  md_context context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context) throw_md5_unavailable();
  std::string part_digests;
  for (std::string_view part : parts) append_md5(context.get(), part, part_digests);
  std::string digest_of_digests;
  append_md5(context.get(), part_digests, digest_of_digests);

  constexpr char hex_digits[] = "0123456789abcdef";
  std::string etag;
  etag.reserve(2 * digest_of_digests.size() + 6);
  for (unsigned char byte : digest_of_digests) {
    etag += hex_digits[byte >> 4];
    etag += hex_digits[byte & 0x0f];
  }
  return etag + "-" + std::to_string(parts.size());
}

bool etag_matches(std::string_view sent, std::string_view expected) noexcept {
  if (sent.size() >= 2 && sent.front() == '"' && sent.back() == '"')
    sent = sent.substr(1, sent.size() - 2);
  return sent == expected;
}

}  // namespace evstore::s3
