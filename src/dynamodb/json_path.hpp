#pragma once
// Where a value sits in a JSON document, kept as a chain of stack frames so that parsing pays
// nothing for it; the text ("Responses.events[3].payload") is built only for an error message.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/fwd.hpp>
#include <boost/json/kind.hpp>

#include "evstore/dynamodb/error.hpp"

namespace evstore::dynamodb::detail {

struct json_path {
  const json_path* parent = nullptr;
  std::string_view key;   ///< member name, when not an index
  std::size_t index = 0;  ///< array index, when is_index
  bool is_index = false;

  json_path member(std::string_view name) const noexcept { return {this, name, 0, false}; }
  json_path element(std::size_t i) const noexcept { return {this, {}, i, true}; }
  std::string str() const;
};

/// Throws system_error(code) with "<path>: <what>".
[[noreturn]] void fail(errc code, const json_path& path, std::string_view what);

/// "a JSON string", "a JSON object", ... for messages.
std::string_view describe(boost::json::kind kind) noexcept;

// Checked access for response parsing: each throws errc::malformed_response naming the path and
// the kinds expected and found.
const boost::json::object& expect_object(const boost::json::value& v, const json_path& path);
const boost::json::array& expect_array(const boost::json::value& v, const json_path& path);
std::string_view expect_string(const boost::json::value& v, const json_path& path);
bool expect_bool(const boost::json::value& v, const json_path& path);
/// Any JSON number, as a double (capacity units are fractional).
double expect_number(const boost::json::value& v, const json_path& path);
/// A JSON integer >= 0.
std::uint64_t expect_count(const boost::json::value& v, const json_path& path);
/// The member, or a malformed_response error naming it when absent.
const boost::json::value& require(const boost::json::object& o, std::string_view name,
                                  const json_path& path);

}  // namespace evstore::dynamodb::detail
