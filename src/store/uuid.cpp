#include "evstore/store/uuid.hpp"

#include <array>

#include <openssl/rand.h>
#include <boost/system/system_error.hpp>

namespace evstore {

std::string make_uuid_v4() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw boost::system::system_error(
        make_error_code(boost::system::errc::resource_unavailable_try_again),
        "cannot generate an event id: OpenSSL's random generator failed; check its entropy "
        "source or give events explicit ids");
  }
  bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 0x0f];
  }
  return out;
}

}  // namespace evstore
