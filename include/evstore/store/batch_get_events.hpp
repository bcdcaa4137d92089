#pragma once
// A BatchGetItem response body read straight into events: one pass of a streaming JSON parser,
// no JSON document and no attribute maps in between; payloads stay the JSON text they are
// stored as. The same events, and the same errors, as parse_batch_get_item_result followed by
// event_from_item on each item (only `meta`, and attributes of other types than S and N, go
// through an AttributeValue).
//
//   http::response response = co_await ddb.send("BatchGetItem", dynamodb::to_body(request));
//   batch_get_events got = decode_batch_get_events(response.body, table);

#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/item_codec.hpp"

namespace evstore {

struct batch_get_events {
  /// The events of the table's items, in response order (BatchGetItem keeps no key order).
  std::vector<decoded_item> events;
  /// The table's keys DynamoDB did not read this time (UnprocessedKeys), to ask for again.
  std::vector<dynamodb::item> unprocessed_keys;
  /// The CapacityUnits of every table in ConsumedCapacity, summed (0 when not asked for).
  double consumed_capacity_units = 0;
};

/// Reads the items and unprocessed keys of `table` (those of other tables are checked as JSON
/// and skipped). Throws system_error: dynamodb::errc::malformed_response for a body that is not
/// a BatchGetItem response, dynamodb::errc::invalid_attribute for a bad AttributeValue, both
/// naming the path ("BatchGetItem.Responses.<table>[3].payload: ..."), and
/// store_errc::corrupt_item for an item that is not an event of the shared table layout.
batch_get_events decode_batch_get_events(std::string_view body, std::string_view table);

}  // namespace evstore
