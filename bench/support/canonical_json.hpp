#pragma once
// JSON text with object keys sorted at every level and no insignificant whitespace, so two
// requests that differ only in key order or spacing read the same.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace evstore::bench {

inline void append_canonical(const boost::json::value& value, std::string& out) {
  if (const boost::json::object* object = value.if_object()) {
    std::vector<const boost::json::key_value_pair*> members;
    members.reserve(object->size());
    for (const boost::json::key_value_pair& member : *object) members.push_back(&member);
    std::sort(members.begin(), members.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    out += '{';
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (i != 0) out += ',';
      out += boost::json::serialize(boost::json::string_view(members[i]->key()));
      out += ':';
      append_canonical(members[i]->value(), out);
    }
    out += '}';
  } else if (const boost::json::array* array = value.if_array()) {
    out += '[';
    for (std::size_t i = 0; i < array->size(); ++i) {
      if (i != 0) out += ',';
      append_canonical((*array)[i], out);
    }
    out += ']';
  } else {
    out += boost::json::serialize(value);
  }
}

/// Appends the canonical form of `text` to `out`; false (and `out` untouched) when `text` is
/// not JSON.
inline bool canonical_json(std::string_view text, std::string& out) {
  boost::system::error_code ec;
  const boost::json::value value = boost::json::parse(text, ec);
  if (ec) return false;
  append_canonical(value, out);
  return true;
}

}  // namespace evstore::bench
