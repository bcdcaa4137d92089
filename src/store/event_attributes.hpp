#pragma once
// The attributes of an event item in the shared table layout, picked out by name before they are
// checked and converted into an event: from an item map (event_from_item) or straight from a
// response body (event_decoder), so both read events by the same rules.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "evstore/dynamodb/attribute_value.hpp"
#include "store/item_codec.hpp"

namespace evstore::detail {

enum class event_attribute : std::uint8_t {
  id,
  created,
  domain,
  type,
  identifier,
  correlation_id,
  causation_id,
  payload,
  s3_reference,
  meta,
  sequence,
};
inline constexpr std::size_t event_attribute_count = 11;

/// The slot of an attribute an event is read from; nullopt for the others (timeBucket, stream,
/// anything a future writer adds).
std::optional<event_attribute> event_attribute_named(std::string_view name) noexcept;

/// Present attributes by slot.
using event_attributes =
    std::array<std::optional<dynamodb::attribute_value>, event_attribute_count>;

/// The event they make; strings are moved out of `attributes`. Throws
/// system_error(store_errc::corrupt_item) naming the item and the attribute at fault.
decoded_item event_from_attributes(event_attributes& attributes);

}  // namespace evstore::detail
