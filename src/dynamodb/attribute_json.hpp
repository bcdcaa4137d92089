#pragma once
// Wire-form parsing at a position of a larger document, so errors name the full path.

#include <boost/json/fwd.hpp>

#include "evstore/dynamodb/attribute_value.hpp"
#include "json_path.hpp"

namespace evstore::dynamodb::detail {

attribute_value parse_value_at(const boost::json::value& json, const json_path& path);
item parse_item_at(const boost::json::value& json, const json_path& path);

}  // namespace evstore::dynamodb::detail
