#pragma once
// Random (version 4) UUIDs for events appended without an id.

#include <cstddef>
#include <string>
#include <vector>

namespace evstore {

/// A version 4 UUID in lowercase 8-4-4-4-12 form, from OpenSSL's CSPRNG. Throws
/// boost::system::system_error when the generator cannot produce random bytes.
std::string make_uuid_v4();

/// `count` such UUIDs from one draw of the generator (what an append of many events uses).
std::vector<std::string> make_uuids_v4(std::size_t count);

}  // namespace evstore
