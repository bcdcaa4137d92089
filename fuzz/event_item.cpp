// Fuzzes the store's event item decoder: a DynamoDB item (wire-form JSON object) read as an
// event of the shared table layout, its payload and meta parsed, and the head version read.
// Seeds: event items in the shared layout (fuzz/corpus/event_item) and the items recorded from
// DynamoDB Local in test/data/dynamodb.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event.hpp"
#include "fuzz_support.hpp"
#include "store/item_codec.hpp"

namespace ddb = evstore::dynamodb;
using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

bool same_event(const evstore::event& a, const evstore::event& b) {
  return a.id == b.id && a.domain == b.domain && a.type == b.type && a.identifier == b.identifier &&
         a.payload_json == b.payload_json && a.meta_json == b.meta_json &&
         a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.created == b.created && a.sequence == b.sequence;
}

void check_decoded(const evstore::decoded_item& decoded) {
  const evstore::event& e = decoded.value;
  // A stored payload or meta that is not JSON is the documented corrupt_item, never a crash.
  const auto& store = evstore::store_category();
  accepts(store, [&] { e.payload(); });
  accepts(store, [&] { e.meta(); });

  // Writing the event back gives an item that decodes to the same event. An empty identifier
  // is not written (the layout has no attribute for it), and meta read from a DynamoDB map
  // must convert back to one.
  evstore::event expected = e;
  if (expected.identifier && expected.identifier->empty()) expected.identifier.reset();
  ddb::item rewritten;
  if (!accepts(store, [&] { rewritten = evstore::to_item(e, decoded.offloaded); }))
    fail("a decoded event cannot be written back as an item");
  const evstore::decoded_item again = evstore::event_from_item(rewritten);
  if (decoded.offloaded) expected.payload_json = again.value.payload_json;
  if (!same_event(again.value, expected)) fail("event item does not round-trip");
  if (again.offloaded != decoded.offloaded) fail("s3Reference does not round-trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(evstore::fuzz::as_text(data, size), ec);
  if (ec) return 0;
  ddb::item item;
  if (!accepts(ddb::error_category(), [&] { item = ddb::item_from_json(json); })) return 0;

  const auto& store = evstore::store_category();
  evstore::decoded_item decoded;
  if (accepts(store, [&] { decoded = evstore::event_from_item(item); })) check_decoded(decoded);
  accepts(store, [&] { evstore::head_version(std::optional<ddb::item>(item)); });
  return 0;
}
