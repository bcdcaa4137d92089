#include "store/payload_object.hpp"

#include <span>

#include "aws/crypto.hpp"

namespace evstore {

std::string payload_object_key(std::string_view prefix, std::string_view id,
                               std::string_view object) {
  thread_local aws::detail::sha256_hasher hasher;
  const aws::detail::sha256_digest digest = hasher.digest(object);
  std::string key(prefix);
  key += id;
  key += '.';
  aws::detail::append_hex(key, std::span(digest).first(payload_key_digest_digits / 2));
  key += ".json";
  return key;
}

}  // namespace evstore
