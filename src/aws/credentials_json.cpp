#include "aws/credentials_json.hpp"

#include <optional>

#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include "aws/json_document.hpp"
#include "aws/timestamp.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace {

[[noreturn]] void fail(std::string_view source, std::string_view what) {
  throw boost::system::system_error{errc::malformed_credentials,
                                    std::string{source} + " answered " + std::string{what}};
}

// The named string field; `required` fields must be present and non-empty.
std::string string_field(const boost::json::object& doc, std::string_view name,
                         std::string_view source, bool required) {
  const boost::json::value* field = doc.if_contains(name);
  if (!field || field->is_null()) {
    if (required) fail(source, "a document without " + std::string{name});
    return {};
  }
  const boost::json::string* text = field->if_string();
  if (!text) fail(source, "a non-string " + std::string{name});
  if (required && text->empty()) fail(source, "an empty " + std::string{name});
  return std::string{text->begin(), text->end()};
}

}  // namespace

credentials parse_credentials_json(std::string_view body, std::string_view source) {
  std::string error;
  const std::optional<boost::json::value> doc = detail::parse_json(body, error);
  if (!doc) fail(source, "something that is not JSON (" + error + ")");
  const boost::json::object* object = doc->if_object();
  if (!object) fail(source, "JSON that is not an object");

  if (const boost::json::value* code = object->if_contains("Code")) {
    const boost::json::string* text = code->if_string();
    if (!text || *text != "Success")
      fail(source, "Code \"" + (text ? std::string{text->begin(), text->end()} : std::string{"?"}) +
                       "\" instead of \"Success\"");
  }

  credentials creds;
  creds.access_key_id = string_field(*object, "AccessKeyId", source, true);
  creds.secret_access_key = string_field(*object, "SecretAccessKey", source, true);
  creds.session_token = string_field(*object, "Token", source, false);
  const std::string expiration = string_field(*object, "Expiration", source, false);
  if (!expiration.empty()) {
    creds.expiration = parse_iso8601(expiration);
    if (!creds.expiration) fail(source, "an Expiration that is not an ISO 8601 time");
  }
  return creds;
}

}  // namespace evstore::aws
