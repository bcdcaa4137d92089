#include "evstore/store/event.hpp"

#include <optional>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include "aws/json_document.hpp"
#include "evstore/store/errors.hpp"

namespace evstore {
namespace {

boost::json::value parse_field(const event& e, std::string_view field, std::string_view text) {
  std::string error;
  std::optional<boost::json::value> value = aws::detail::parse_json(text, error);
  if (!value) {
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "the " + std::string(field) + " of event '" + e.id +
                                          "' is not valid JSON (" + error + "): set it with set_" +
                                          std::string(field) + " or fix the stored item");
  }
  return std::move(*value);
}

}  // namespace

boost::json::value event::payload() const {
  return parse_field(*this, "payload", payload_json);
}

boost::json::object event::meta() const {
  if (!meta_json) return {};
  boost::json::value value = parse_field(*this, "meta", *meta_json);
  if (!value.is_object()) {
    throw boost::system::system_error(
        make_error_code(store_errc::corrupt_item),
        "the meta of event '" + id + "' is not a JSON object: set it with set_meta");
  }
  return std::move(value.as_object());
}

void event::set_payload(const boost::json::value& value) {
  payload_json = boost::json::serialize(value);
}

void event::set_meta(const boost::json::object& value) {
  meta_json = boost::json::serialize(value);
}

}  // namespace evstore
