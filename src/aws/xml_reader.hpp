#pragma once
// A small, strict XML reader for the subset AWS responses use (S3 results and errors, STS
// answers): an optional XML declaration, elements, attributes (read and ignored, so namespace
// declarations are harmless), character data with the five predefined entities and numeric
// character references, CDATA sections and comments. Anything else (DOCTYPE, processing
// instructions, ill-formed markup, invalid UTF-8) is rejected. Pure logic: no I/O.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::aws::xml {

/// The nesting limit unless a caller asks for another; S3 responses nest four levels at most.
inline constexpr std::size_t default_max_depth = 64;

struct element {
  std::string name;  ///< as written, prefix included (AWS uses none)
  std::string text;  ///< all character data directly inside, entities decoded, not trimmed
  std::vector<element> children;

  /// First child named `child_name`, or nullptr.
  const element* find(std::string_view child_name) const noexcept;
  /// Text of the first child named `child_name`, or `fallback` when there is none.
  std::string_view text_or(std::string_view child_name,
                           std::string_view fallback = {}) const noexcept;
  /// Every child named `child_name`, in document order.
  std::vector<const element*> all(std::string_view child_name) const;
};

/// A document outside the accepted subset. what() is "malformed XML: <reason> at byte <offset>";
/// the reason may name elements but never quotes character data.
class malformed_xml_error : public std::invalid_argument {
 public:
  malformed_xml_error(std::size_t offset, std::string reason);
  std::size_t offset() const noexcept { return offset_; }
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::size_t offset_;
  std::string reason_;
};

/// Parses a whole document and returns its root element. Throws malformed_xml_error at the
/// first problem, including elements nested deeper than `max_depth`.
element parse(std::string_view document, std::size_t max_depth = default_max_depth);

}  // namespace evstore::aws::xml
