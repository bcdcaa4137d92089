#pragma once
// A JSON text read into a Boost.JSON value: the one entry point for the responses, credentials,
// checkpoints and event fields wanted as a tree. Streams of escape-dense text (BatchGetItem
// bodies) are read by json_scanner.hpp instead.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

namespace evstore::aws::detail {

/// The value `text` holds (one JSON value, whitespace around it), its memory from `storage`.
/// nullopt when `text` is not JSON or nests deeper than `max_depth`, with `error` saying what
/// ("syntax error, 40 bytes").
std::optional<boost::json::value> parse_json(std::string_view text, std::string& error,
                                             boost::json::storage_ptr storage = {},
                                             std::size_t max_depth = 32);

}  // namespace evstore::aws::detail
