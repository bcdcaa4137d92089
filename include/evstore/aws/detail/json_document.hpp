#pragma once
// A JSON text read into a Boost.JSON value by the library's one JSON reader (json_scanner.hpp):
// for the responses, credentials, checkpoints and event fields that are wanted as a tree.
// Boost.JSON is the tree and the writer; it no longer reads text here.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

namespace evstore::aws::detail {

/// The value `text` holds (one JSON value, whitespace around it), its memory from `storage`.
/// nullopt when `text` is not JSON or nests deeper than `max_depth`, with `error` saying what
/// and where ("expected ',' or '}' in an object at offset 12 of 40 bytes").
std::optional<boost::json::value> parse_json(std::string_view text, std::string& error,
                                             boost::json::storage_ptr storage = {},
                                             std::size_t max_depth = 32);

}  // namespace evstore::aws::detail
