#pragma once
// Each benchmark's figures: printed as plain "name: value" lines and written, with its
// settings, as one JSON object to the file --json names.

#include <cstdio>
#include <fstream>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace evstore::bench {

/// Writes `figures` to `path` (nothing when `path` is empty); false when the file cannot be
/// written.
inline bool write_json(const std::string& path, const boost::json::object& figures) {
  if (path.empty()) return true;
  std::ofstream out(path);
  out << boost::json::serialize(figures) << '\n';
  return static_cast<bool>(out);
}

}  // namespace evstore::bench
