// Fuzzes what the dynamodb layer does with a response body from the server: every operation's
// result parser, the error parser (codes, messages, CancellationReasons) and the x-amz-crc32
// check. Seeds: the recorded DynamoDB Local responses in test/data/dynamodb.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "dynamodb/crc32.hpp"
#include "dynamodb/protocol.hpp"
#include "evstore/dynamodb/batch_get_item.hpp"
#include "evstore/dynamodb/error.hpp"
#include "evstore/dynamodb/items.hpp"
#include "evstore/dynamodb/query.hpp"
#include "evstore/dynamodb/tables.hpp"
#include "evstore/dynamodb/transact_write_items.hpp"
#include "fuzz_support.hpp"

namespace ddb = evstore::dynamodb;
using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

void parse_as_every_result(std::string_view body) {
  const auto& category = ddb::error_category();
  accepts(category, [&] {
    const ddb::query_result result = ddb::parse_query_result(body);
    if (result.count < 0 || result.scanned_count < 0) fail("Query accepted a negative count");
  });
  accepts(category, [&] { ddb::parse_batch_get_item_result(body); });
  accepts(category, [&] {
    const ddb::describe_table_result result = ddb::parse_describe_table_result(body);
    result.table.fully_active();
  });
  accepts(category, [&] { ddb::parse_create_table_result(body); });
  accepts(category, [&] { ddb::parse_update_table_result(body); });
  accepts(category, [&] { ddb::parse_delete_table_result(body); });
  accepts(category, [&] { ddb::parse_get_item_result(body); });
  accepts(category, [&] { ddb::parse_put_item_result(body); });
  accepts(category, [&] { ddb::parse_update_item_result(body); });
  accepts(category, [&] { ddb::parse_delete_item_result(body); });
  accepts(category, [&] { ddb::parse_transact_write_items_result(body); });
}

void parse_as_error(std::string_view body) {
  evstore::http::response response;
  response.status = 400;
  response.headers = {{"x-amzn-RequestId", "FUZZREQUESTID"}};
  response.body = std::string(body);

  // Documented never to throw for any body: a malformed one gives code name "".
  const ddb::service_error error = ddb::parse_service_error(response);
  if (std::string_view(error.what()).empty()) fail("service_error without a message");
  error.retryable();
  // The retry classifier and the error parser must agree on the code.
  if (ddb::read_error_code(response) != error.code_name())
    fail("read_error_code and parse_service_error disagree on the error code");

  // The checksum: the body's own CRC matches, any other value does not.
  const std::uint32_t crc = ddb::crc32(response.body);
  response.headers.push_back({"x-amz-crc32", std::to_string(crc)});
  if (!ddb::crc32_matches(response)) fail("the body's own CRC-32 does not match");
  response.headers.back().value = std::to_string(crc ^ 1u);
  if (ddb::crc32_matches(response)) fail("a wrong CRC-32 matches");
  if (!ddb::read_error_code(response).empty()) fail("an error code read from a corrupted body");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = evstore::fuzz::as_text(data, size);
  parse_as_every_result(body);
  parse_as_error(body);
  return 0;
}
