#pragma once
// The S3 face of aws::xml: the same strict reader, its failures reported as
// s3::errc::malformed_xml, and a missing element as s3::errc::unexpected_response. Pure logic.

#include <cstddef>
#include <string>
#include <string_view>

#include "aws/xml_reader.hpp"

namespace evstore::s3::xml {

using element = aws::xml::element;

/// Nesting deeper than this is rejected; S3 responses nest four levels at most.
inline constexpr std::size_t max_depth = aws::xml::default_max_depth;

/// Parses a whole document and returns its root element. Throws boost::system::system_error
/// with s3::errc::malformed_xml and the byte offset of the first problem.
element parse(std::string_view document);

/// Text of the first child of `parent` named `child_name`; throws system_error with
/// s3::errc::unexpected_response naming both elements when there is none.
const std::string& required_text(const element& parent, std::string_view child_name);

}  // namespace evstore::s3::xml
