#pragma once
// The AWS Query protocol's answers (STS) as the text of every leaf element by its path, read
// by the strict aws::xml reader. Pure.

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace evstore::aws {

/// Leaf element paths from the root ("ErrorResponse/Error/Code") to their decoded text.
using xml_leaves = std::map<std::string, std::string, std::less<>>;

/// Reads `xml` (the subset aws::xml::parse accepts). An element with child elements contributes
/// no text of its own; a repeated leaf path keeps its first text. Throws std::invalid_argument
/// (aws::xml::malformed_xml_error) saying what is wrong and at which byte offset (never quoting
/// text) for malformed XML, a DOCTYPE, or nesting deeper than 32 elements.
xml_leaves read_xml_leaves(std::string_view xml);

}  // namespace evstore::aws
