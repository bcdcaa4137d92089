#pragma once
// The event model. Payload and meta stay the JSON text they were read as (or written with) and
// are parsed only when a caller asks for a value, so replay builds no document it does not need.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/json/fwd.hpp>

namespace evstore {

using timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

struct event {
  std::string id;      ///< filled with a UUID on append when empty
  std::string domain;  ///< required
  std::string type;    ///< required
  std::optional<std::string> identifier;
  std::string payload_json = "null";     ///< any JSON value, as text
  std::optional<std::string> meta_json;  ///< a JSON object, as text
  std::optional<std::string> correlation_id;
  std::optional<std::string> causation_id;
  std::optional<timestamp> created;  ///< filled on append when empty; see repo::append
  std::uint64_t sequence = 0;        ///< 1-based position in its stream; assigned on append

  /// Parses payload_json; throws boost::system::system_error naming the event on bad JSON.
  boost::json::value payload() const;
  /// Parses meta_json (an empty object when absent).
  boost::json::object meta() const;
  void set_payload(const boost::json::value& value);
  void set_meta(const boost::json::object& value);
};

}  // namespace evstore
