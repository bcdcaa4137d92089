#pragma once
// JSON text kept as text: validation without building a document, and the raw members of an
// object, so payloads and meta pass through the store byte for byte.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evstore::detail {

enum class json_kind { invalid, object, array, string, number, boolean, null };

/// The kind of the single JSON value `text` holds (surrounding whitespace allowed), or
/// json_kind::invalid when it is not exactly one well-formed value (with valid UTF-8).
json_kind classify_json(std::string_view text);

/// The members of a well-formed JSON object, in text order: the unescaped key and the raw
/// text of the value. Precondition: classify_json(text) == json_kind::object.
std::vector<std::pair<std::string, std::string_view>> object_members(std::string_view text);

/// The text `value` as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view value);

/// The value of a well-formed JSON string literal (quotes included).
std::string unescape_json_string(std::string_view literal);

}  // namespace evstore::detail
