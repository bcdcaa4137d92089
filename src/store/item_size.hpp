#pragma once
// The size DynamoDB charges an item against its 400 KB limit: attribute name bytes plus value
// bytes, by the rules of the DynamoDB developer guide ("Item sizes and formats").

#include <cstddef>

#include "evstore/dynamodb/attribute_value.hpp"

namespace evstore {

/// DynamoDB's item size limit (400 KB).
inline constexpr std::size_t max_item_bytes = 409'600;

/// The size of a value: strings and binaries their bytes; a number 1 byte per two significant
/// digits plus 1 (plus 1 when negative); boolean and null 1 byte; a list or map 3 bytes plus
/// 1 byte per element plus its elements (a map element counting its name); a set the sum of its
/// elements.
std::size_t attribute_size(const dynamodb::attribute_value& value);

/// The sum over attributes of name bytes plus value size.
std::size_t item_size(const dynamodb::item& item);

}  // namespace evstore
