#pragma once
// A small, strict XML reader for the subset S3 responses use: an optional XML declaration,
// elements, attributes (read and ignored, so namespace declarations are harmless), character
// data with the five predefined entities and numeric character references, CDATA sections and
// comments. Anything else (DOCTYPE, processing instructions, ill-formed markup, invalid UTF-8)
// is rejected with s3::errc::malformed_xml. Pure logic: no I/O.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::s3::xml {

/// Nesting deeper than this is rejected; S3 responses nest four levels at most.
inline constexpr std::size_t max_depth = 64;

struct element {
  std::string name;  ///< as written, prefix included (S3 uses none)
  std::string text;  ///< all character data directly inside, entities decoded, not trimmed
  std::vector<element> children;

  /// First child named `child_name`, or nullptr.
  const element* find(std::string_view child_name) const noexcept;
  /// Text of the first child named `child_name`; throws system_error with
  /// s3::errc::unexpected_response naming the element when there is none.
  const std::string& required_text(std::string_view child_name) const;
  /// Text of the first child named `child_name`, or `fallback` when there is none.
  std::string_view text_or(std::string_view child_name,
                           std::string_view fallback = {}) const noexcept;
  /// Every child named `child_name`, in document order.
  std::vector<const element*> all(std::string_view child_name) const;
};

/// Parses a whole document and returns its root element. Throws boost::system::system_error
/// with s3::errc::malformed_xml and the byte offset of the first problem.
element parse(std::string_view document);

}  // namespace evstore::s3::xml
