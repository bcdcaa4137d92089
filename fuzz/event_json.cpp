// Fuzzes the event JSON codec (the S3 object of an offloaded event, and the tool's JSON Lines):
// reading an event from JSON text and writing it back. Seeds: events in the reference adapter's
// shape (fuzz/corpus/event_json).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/event.hpp"
#include "evstore/store/event_json.hpp"
#include "fuzz_support.hpp"

using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

bool same_event(const evstore::event& a, const evstore::event& b) {
  return a.id == b.id && a.domain == b.domain && a.type == b.type && a.identifier == b.identifier &&
         a.payload() == b.payload() && a.meta() == b.meta() &&
         a.correlation_id == b.correlation_id && a.causation_id == b.causation_id &&
         a.created == b.created && a.sequence == b.sequence;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& store = evstore::store_category();
  evstore::event e;
  if (!accepts(store, [&] { e = evstore::event_from_json(evstore::fuzz::as_text(data, size)); }))
    return 0;
  // What was read is JSON: payload and meta parse.
  if (!accepts(store, [&] { e.payload(); })) fail("an accepted event has a payload not JSON");
  if (!accepts(store, [&] { e.meta(); })) fail("an accepted event has a meta not an object");

  // decode(encode(x)) == x: one line, which reads back as the same event.
  std::string line;
  if (!accepts(store, [&] { line = evstore::to_json_line(e); }))
    fail("an accepted event cannot be written back");
  if (line.find_first_of("\r\n") != std::string::npos) fail("a JSON line with a line break");
  evstore::event again;
  if (!accepts(store, [&] { again = evstore::event_from_json(line); }))
    fail("to_json_line wrote a line event_from_json rejects: " + line);
  if (!same_event(e, again)) fail("event JSON does not round-trip: " + line);
  return 0;
}
