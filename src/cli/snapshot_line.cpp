#include "snapshot_line.hpp"

#include <stdexcept>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/system/error_code.hpp>

#include "evstore/store/time.hpp"

namespace evstore::cli {

std::string snapshot_json_line(const snapshot& value) {
  boost::system::error_code error;
  // Parsed, not pasted: a state written over several lines must still make one output line.
  boost::json::value state = boost::json::parse(value.state_json, error);
  if (error) {
    throw std::runtime_error("the snapshot of " + value.domain + "::" + value.identifier +
                             " holds a state that is not JSON: " + error.message());
  }
  boost::json::object line{{"domain", value.domain},
                           {"identifier", value.identifier},
                           {"sequence", value.sequence},
                           {"state", std::move(state)}};
  if (value.created) line["created"] = format_iso8601(*value.created);
  return boost::json::serialize(line);
}

}  // namespace evstore::cli
