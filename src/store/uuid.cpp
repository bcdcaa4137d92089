#include "evstore/store/uuid.hpp"

#include <openssl/rand.h>
#include <boost/system/system_error.hpp>

namespace evstore {

std::vector<std::string> make_uuids_v4(std::size_t count) {
  // One draw for all: each RAND_bytes call costs a getpid system call (OpenSSL's fork check),
  // which made up most of an append's system calls, one per event.
  std::vector<unsigned char> random(count * 16);
  if (count > 0 && RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw boost::system::system_error(
        make_error_code(boost::system::errc::resource_unavailable_try_again),
        "cannot generate an event id: OpenSSL's random generator failed; check its entropy "
        "source or give events explicit ids");
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::vector<std::string> ids;
  ids.reserve(count);
  for (std::size_t n = 0; n < count; ++n) {
    unsigned char* bytes = random.data() + n * 16;
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40);  // version 4
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
    std::string& out = ids.emplace_back();
    out.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
      if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
      out += hex[bytes[i] >> 4];
      out += hex[bytes[i] & 0x0f];
    }
  }
  return ids;
}

std::string make_uuid_v4() {
  return std::move(make_uuids_v4(1).front());
}

}  // namespace evstore
