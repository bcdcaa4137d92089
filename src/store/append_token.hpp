#pragma once
// The ClientRequestToken of an append's TransactWriteItems call, derived from what the call
// writes without serialising its body again: a SHA-256 digest of the call's content (table,
// stream, head versions, every attribute of every item), taken once per call, then mixed with
// the attempt number for each attempt.

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/detail/append_plan.hpp"

namespace evstore {

/// DynamoDB's longest ClientRequestToken.
inline constexpr std::size_t max_client_request_token_length = 36;

using transaction_digest = std::array<unsigned char, 32>;

/// The digest of the call writing `chunk` to `table`: its stream, its expected and new head
/// versions, and the items `items[p]` for p in chunk.positions, in that order, each attribute's
/// name, type and value (maps and lists in full). Any change to any of these changes it; the
/// encoding is unambiguous (every text carries its length, every map and list its size).
transaction_digest transaction_content_digest(std::string_view table,
                                              const transaction_chunk& chunk,
                                              const std::vector<dynamodb::item>& items);

/// The digest of an atomic append's call: every write as transaction_content_digest takes a
/// chunk (its items `items[p]`), then every check's stream and expectation, under a tag of its
/// own.
transaction_digest atomic_transaction_digest(std::string_view table,
                                             const std::vector<transaction_chunk>& writes,
                                             const std::vector<atomic_stream_check>& checks,
                                             const std::vector<dynamodb::item>& items);

/// The ClientRequestToken of one attempt of a call: the first 36 hex digits of the SHA-256 of
/// the call's content digest and the attempt number. The service client's resends of one
/// attempt carry the same token, so DynamoDB answers a resend after a lost response with
/// success instead of applying it again; a new attempt after a definite cancellation gets a new
/// token, so DynamoDB does not answer it from the cancelled one.
std::string client_request_token(const transaction_digest& content, unsigned attempt);

}  // namespace evstore
