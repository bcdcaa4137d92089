#pragma once
// SHA-256 and HMAC-SHA-256 on OpenSSL 3 contexts that are fetched once and reused, so each
// digest costs no algorithm lookup and no allocation. Not thread-safe: one object per user.

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <openssl/types.h>

namespace evstore::aws::detail {

using sha256_digest = std::array<unsigned char, 32>;

class sha256_hasher {
 public:
  sha256_hasher();
  ~sha256_hasher();
  sha256_hasher(const sha256_hasher&) = delete;
  sha256_hasher& operator=(const sha256_hasher&) = delete;

  sha256_digest digest(std::string_view data);

 private:
  EVP_MD* md_ = nullptr;
  EVP_MD_CTX* ctx_ = nullptr;
};

/// HMAC-SHA-256 under a key set once and kept: the keyed inner and outer states are kept by
/// OpenSSL, so each MAC after set_key hashes only the message.
class hmac_sha256 {
 public:
  hmac_sha256();
  ~hmac_sha256();
  hmac_sha256(const hmac_sha256&) = delete;
  hmac_sha256& operator=(const hmac_sha256&) = delete;

  void set_key(std::span<const unsigned char> key);
  /// MAC of `data` under the last key set; set_key must have been called.
  sha256_digest mac(std::string_view data);

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
  bool keyed_ = false;
};

/// Appends the lowercase hexadecimal form of `bytes`.
void append_hex(std::string& out, std::span<const unsigned char> bytes);

/// Overwrites memory holding key material so it does not linger after use.
void cleanse(void* data, std::size_t size) noexcept;

}  // namespace evstore::aws::detail
