#pragma once
// A small strict XML reader for the AWS Query protocol's answers (STS): the text of every
// leaf element by its path. Pure; no DTDs, no namespaces beyond ignoring attributes.

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace evstore::aws {

/// Leaf element paths from the root ("ErrorResponse/Error/Code") to their decoded text.
using xml_leaves = std::map<std::string, std::string, std::less<>>;

/// Reads `xml`: an optional declaration, comments, one root element. An element with child
/// elements contributes no text of its own; a repeated leaf path keeps its first text.
/// Entities (the five predefined, &#N;, &#xH;) and CDATA are decoded. Throws
/// std::invalid_argument saying what is wrong and at which byte offset (never quoting text) for
/// malformed XML, a DOCTYPE, or nesting deeper than 32 elements.
xml_leaves read_xml_leaves(std::string_view xml);

}  // namespace evstore::aws
