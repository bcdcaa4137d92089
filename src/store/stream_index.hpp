#pragma once
// The stream index: a global secondary index on the `stream` attribute (`domain::identifier`)
// ranged by `sequence`, so one stream's events are read in order by a Query. evstore creates it
// projecting KEYS_ONLY: stream reads then hydrate the keys with BatchGetItem, and each event
// costs the index one write unit and about 200 bytes instead of a second full copy (the cost
// model is in docs/operations.md). An index an older evstore created projecting ALL is kept as
// it is; its entries hold the events and are read without hydration.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/tables.hpp"
#include "evstore/store/repo.hpp"

namespace evstore {

class repo_state;

inline constexpr std::string_view stream_index = "streamIndex";

/// Whether an entry of the index holds its event (an index projecting ALL) rather than only the
/// keys (KEYS_ONLY): keys-only entries are read from the table (hydrate).
bool entry_holds_event(const dynamodb::item& entry);

/// The entry's `sequence` (an index key). Throws system_error(store_errc::corrupt_item) when it
/// is missing or not a whole number: DynamoDB indexes no such item.
std::uint64_t entry_sequence(const dynamodb::item& entry);

/// The entry's `created` as stored (the table's sort key). Throws
/// system_error(store_errc::corrupt_item) when it is missing or not a string.
const std::string& entry_created(const dynamodb::item& entry);

/// The attribute definition the index's hash key needs (`stream` S; `sequence` is N).
std::vector<dynamodb::attribute_definition> stream_index_attributes();

/// The index, with provisioned throughput for provisioned tables (nullopt: on demand).
dynamodb::global_secondary_index stream_index_definition(
    std::optional<dynamodb::provisioned_throughput> throughput);

/// Adds the stream index to an existing table that lacks it (UpdateTable), tolerating another
/// process doing the same, and waits until the table and every index are ACTIVE (backfilled):
/// without a time limit while DynamoDB reports the index being built, logging progress every
/// 5 minutes (judge_index_build).
boost::asio::awaitable<void> ensure_stream_index(repo_state& state);

}  // namespace evstore
