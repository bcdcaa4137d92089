#include "aws/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace evstore::aws::detail {

namespace {

[[noreturn]] void throw_openssl(const char* what) {
  throw std::runtime_error(std::string("OpenSSL ") + what +
                           " failed; check that OpenSSL 3 and its default provider load");
}

}  // namespace

sha256_hasher::sha256_hasher()
    : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
  if (md_ == nullptr || ctx_ == nullptr) {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
    throw_openssl("SHA-256 setup");
  }
}

sha256_hasher::~sha256_hasher() {
  EVP_MD_CTX_free(ctx_);
  EVP_MD_free(md_);
}

sha256_digest sha256_hasher::digest(std::string_view data) {
  sha256_digest out;
  if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
      EVP_DigestUpdate(ctx_, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx_, out.data(), nullptr) != 1) {
    throw_openssl("SHA-256");
  }
  return out;
}

hmac_sha256::hmac_sha256()
    : mac_(EVP_MAC_fetch(nullptr, "HMAC", nullptr)), ctx_(mac_ ? EVP_MAC_CTX_new(mac_) : nullptr) {
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (ctx_ == nullptr || EVP_MAC_CTX_set_params(ctx_, params) != 1) {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
    throw_openssl("HMAC-SHA-256 setup");
  }
}

hmac_sha256::~hmac_sha256() {
  EVP_MAC_CTX_free(ctx_);
  EVP_MAC_free(mac_);
}

void hmac_sha256::set_key(std::span<const unsigned char> key) {
  // OpenSSL rejects a null key pointer even when the size is zero.
  static const unsigned char empty_key = 0;
  if (EVP_MAC_init(ctx_, key.empty() ? &empty_key : key.data(), key.size(), nullptr) != 1) {
    keyed_ = false;
    throw_openssl("HMAC key setup");
  }
  keyed_ = true;
}

sha256_digest hmac_sha256::mac(std::string_view data) {
  if (!keyed_) throw std::logic_error("hmac_sha256::mac called before set_key");
  sha256_digest out;
  std::size_t size = 0;
  // A null key re-initialises from the kept keyed state instead of re-deriving it.
  if (EVP_MAC_init(ctx_, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx_, out.data(), &size, out.size()) != 1 || size != out.size()) {
    throw_openssl("HMAC-SHA-256");
  }
  return out;
}

namespace {

/// The two hex digits of every byte value, so each byte costs one table load.
constexpr std::array<char, 512> make_hex_pairs() {
  constexpr char digits[] = "0123456789abcdef";
  std::array<char, 512> pairs{};
  for (int b = 0; b < 256; ++b) {
    pairs[2 * b] = digits[b >> 4];
    pairs[2 * b + 1] = digits[b & 0x0f];
  }
  return pairs;
}

constexpr std::array<char, 512> hex_pairs = make_hex_pairs();

}  // namespace

void append_hex(std::string& out, std::span<const unsigned char> bytes) {
  const std::size_t start = out.size();
  out.resize(start + 2 * bytes.size());
  char* p = out.data() + start;
  for (unsigned char b : bytes) {
    std::memcpy(p, &hex_pairs[2 * b], 2);
    p += 2;
  }
}

void cleanse(void* data, std::size_t size) noexcept {
  OPENSSL_cleanse(data, size);
}

}  // namespace evstore::aws::detail
