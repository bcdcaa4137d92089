#pragma once
// Random (version 4) UUIDs for events appended without an id.

#include <string>

namespace evstore {

/// A version 4 UUID in lowercase 8-4-4-4-12 form, from OpenSSL's CSPRNG. Throws
/// boost::system::system_error when the generator cannot produce random bytes.
std::string make_uuid_v4();

}  // namespace evstore
