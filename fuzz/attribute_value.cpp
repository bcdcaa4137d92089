// Fuzzes the AttributeValue codec: the wire form ({"S":"x"}, {"M":{...}}, ...) both ways, plain
// JSON documents both ways, and base64. Seeds: attribute values and items taken from the
// recorded DynamoDB Local requests and responses in test/data/dynamodb.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/error.hpp"
#include "fuzz_support.hpp"

namespace ddb = evstore::dynamodb;
using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

/// Every value's document text is JSON that reads back as a document.
void check_document_text_parses(const ddb::attribute_value& value) {
  const std::string text = ddb::to_document_text(value);
  if (!accepts(ddb::error_category(), [&] { ddb::from_document_text(text); }))
    fail("to_document_text wrote text that from_document_text rejects: " + text);
}

void fuzz_wire_form(std::string_view input) {
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(input, ec);
  if (ec) return;  // not JSON: nothing of this codec to exercise

  ddb::attribute_value value;
  if (accepts(ddb::error_category(), [&] { value = ddb::attribute_value_from_json(json); })) {
    // decode(encode(x)) == x for every value that parses.
    if (!(ddb::attribute_value_from_json(ddb::to_json(value)) == value))
      fail("wire form does not round-trip");
    ddb::to_document(value);
    check_document_text_parses(value);
    if (value.type() == ddb::attribute_type::n) {
      accepts(ddb::error_category(), [&] { value.as_int64(); });
      accepts(ddb::error_category(), [&] { value.as_uint64(); });
    }
  }

  ddb::item item;
  if (accepts(ddb::error_category(), [&] { item = ddb::item_from_json(json); })) {
    if (ddb::item_from_json(ddb::to_json(item)) != item) fail("wire item does not round-trip");
    check_document_text_parses(ddb::attribute_value::map(item));
  }

  // A plain JSON document (a number beyond double range is rejected as not a number).
  ddb::attribute_value document;
  if (accepts(ddb::error_category(), [&] { document = ddb::from_document(json); }))
    check_document_text_parses(document);
}

void fuzz_document_text(std::string_view input) {
  ddb::attribute_value value;
  if (!accepts(ddb::error_category(), [&] { value = ddb::from_document_text(input); })) return;
  // Documents hold only S, N, BOOL, NULL, M and L: their text reads back to the same value,
  // numbers keeping their exact text.
  const std::string text = ddb::to_document_text(value);
  if (!(ddb::from_document_text(text) == value)) fail("document text does not round-trip: " + text);
  ddb::to_document(value);
  accepts(ddb::error_category(), [&] { ddb::item_from_document_text(input); });
}

void fuzz_base64(std::string_view input) {
  const auto* raw = reinterpret_cast<const std::uint8_t*>(input.data());
  const std::string encoded = ddb::base64_encode(raw, input.size());
  if (ddb::base64_decode(encoded) != ddb::bytes(raw, raw + input.size()))
    fail("base64 does not round-trip");
  ddb::bytes decoded;
  if (accepts(ddb::error_category(), [&] { decoded = ddb::base64_decode(input); })) {
    if (decoded.size() > input.size() / 4 * 3) fail("base64 decoded to more bytes than it can");
    if (ddb::base64_encode(decoded.data(), decoded.size()).size() != input.size())
      fail("accepted base64 text of a length the bytes cannot have");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = evstore::fuzz::as_text(data, size);
  fuzz_wire_form(input);
  fuzz_document_text(input);
  fuzz_base64(input);
  return 0;
}
