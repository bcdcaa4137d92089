#pragma once
// BatchGetItem items read straight into events: the DynamoDB layer's reader
// (dynamodb::read_batch_get_item_result) hands each item's attributes to an event_decoder, with
// no JSON document and no attribute maps in between; payloads stay the JSON text they are stored
// as. The same events, and the same errors, as parse_batch_get_item_result followed by
// event_from_item on each item.
//
//   std::vector<decoded_item> events;
//   event_decoder decoder(events);
//   dynamodb::batch_get_item_remainder rest = co_await ddb.batch_get_item(request, decoder);

#include <array>
#include <optional>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/batch_get_item.hpp"
#include "store/item_codec.hpp"

namespace evstore {

/// Appends the event of each item it is given to `events`. Throws
/// system_error(store_errc::corrupt_item) from on_item_end for an item that is not an event of
/// the shared table layout.
class event_decoder final : public dynamodb::batch_get_item_visitor {
 public:
  explicit event_decoder(std::vector<decoded_item>& events) noexcept : events_(events) {}

  void on_item_begin() override;
  bool on_attribute(std::string_view name) override;
  void on_value(dynamodb::attribute_value value) override;
  void on_item_end() override;

 private:
  static constexpr std::size_t attribute_slots = 11;

  std::vector<decoded_item>& events_;
  /// The attributes an event is read from, by slot (detail::event_attribute).
  std::array<std::optional<dynamodb::attribute_value>, attribute_slots> attributes_{};
  std::size_t slot_ = 0;
};

struct batch_get_events {
  /// The events of the table's items, in response order (BatchGetItem keeps no key order).
  std::vector<decoded_item> events;
  /// The table's keys DynamoDB did not read this time (UnprocessedKeys), to ask for again.
  std::vector<dynamodb::item> unprocessed_keys;
  /// The CapacityUnits of every table in ConsumedCapacity, summed (0 when not asked for).
  double consumed_capacity_units = 0;
};

/// The events of `table`'s items in a BatchGetItem response body (those of other tables are
/// checked as JSON and skipped). Throws what read_batch_get_item_result and event_decoder throw.
batch_get_events decode_batch_get_events(std::string_view body, std::string_view table);

}  // namespace evstore
