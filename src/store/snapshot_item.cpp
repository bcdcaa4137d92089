#include "store/snapshot_item.hpp"

#include <charconv>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "http/percent_encoding.hpp"
#include "json_text.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

std::string snapshot_key(std::string_view domain, std::string_view identifier) {
  return event_key("SNAPSHOT::" + stream_name(domain, identifier));
}

[[noreturn]] void reject(const snapshot& value, const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                    "the snapshot of stream " +
                                        stream_name(value.domain, value.identifier) + " " + what +
                                        "; nothing was written");
}

[[noreturn]] void corrupt(std::string_view key, const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "the snapshot item '" + std::string(key) + "' " + what +
                                        "; delete the item (a snapshot can be rebuilt)");
}

const std::string& string_attribute(const ddb::item& item, std::string_view key,
                                    std::string_view name) {
  const auto it = item.find(name);
  if (it == item.end() || it->second.type() != ddb::attribute_type::s)
    corrupt(key, "lacks the string attribute '" + std::string(name) + "'");
  return it->second.as_string();
}

}  // namespace

ddb::item snapshot_item_key(std::string_view domain, std::string_view identifier) {
  ddb::item key;
  key.emplace("id", ddb::attribute_value::string(snapshot_key(domain, identifier)));
  key.emplace("created", ddb::attribute_value::string(std::string(snapshot_created_value)));
  return key;
}

void validate_snapshot(const snapshot& value) {
  if (value.domain.empty()) reject(value, "has an empty domain");
  if (value.domain.find("::") != std::string::npos || value.domain.ends_with(':'))
    reject(value, "has a domain holding \"::\" or ending in ':'");
  if (snapshot_key(value.domain, value.identifier).size() > max_partition_key_bytes)
    reject(value, "makes a key over DynamoDB's 2048 bytes: shorten the domain or identifier");
  // Reads load an offloaded state whole and refuse one this large.
  if (value.state_json.size() > max_offloaded_object_bytes)
    reject(value, "has a state larger than " + std::to_string(max_offloaded_object_bytes >> 20) +
                      " MiB, the most a read accepts");
  if (detail::classify_json(value.state_json) == detail::json_kind::invalid)
    reject(value, "has a state that is not one valid JSON value");
  if (!value.created) reject(value, "has no created time");
}

ddb::item to_snapshot_item(const snapshot& value, const std::optional<s3_location>& offloaded) {
  ddb::item item = snapshot_item_key(value.domain, value.identifier);
  item.emplace("domain", ddb::attribute_value::string(value.domain));
  item.emplace("identifier", ddb::attribute_value::string(value.identifier));
  item.emplace("sequence", ddb::attribute_value::number(value.sequence));
  item.emplace("savedAt", ddb::attribute_value::string(format_iso8601(*value.created)));
  if (offloaded)
    item.emplace("s3Reference", ddb::attribute_value::string(to_s3_reference(*offloaded)));
  else
    item.emplace("state", ddb::attribute_value::string(value.state_json));
  return item;
}

decoded_snapshot snapshot_from_item(const ddb::item& item) {
  const auto id = item.find("id");
  const std::string key = id != item.end() && id->second.type() == ddb::attribute_type::s
                              ? id->second.as_string()
                              : std::string("(unknown)");
  decoded_snapshot out;
  out.value.domain = string_attribute(item, key, "domain");
  out.value.identifier = string_attribute(item, key, "identifier");
  const auto sequence = item.find("sequence");
  if (sequence == item.end()) corrupt(key, "lacks 'sequence'");
  try {
    out.value.sequence = sequence->second.as_uint64();
  } catch (const boost::system::system_error&) {
    corrupt(key, "has a 'sequence' that is not a non-negative integer");
  }
  try {
    out.value.created = parse_iso8601(string_attribute(item, key, "savedAt"));
  } catch (const boost::system::system_error& error) {
    if (error.code() == store_errc::corrupt_item) throw;
    corrupt(key, "has a 'savedAt' that is not an ISO-8601 time");
  }
  const bool has_state = item.contains("state");
  const bool has_reference = item.contains("s3Reference");
  if (has_state == has_reference)
    corrupt(key, "must hold exactly one of 'state' and 's3Reference'");
  if (has_state) {
    out.value.state_json = string_attribute(item, key, "state");
  } else {
    const std::string& reference = string_attribute(item, key, "s3Reference");
    try {
      out.offloaded = parse_s3_reference(reference);
    } catch (const boost::system::system_error&) {
      corrupt(key, "has an 's3Reference' not of the form <bucket>::<key>");
    }
    out.value.state_json = "null";
  }
  return out;
}

std::string snapshot_objects_prefix(std::string_view prefix, std::string_view domain,
                                    std::string_view identifier) {
  std::string key(prefix);
  key += "snapshots/";
  http::append_percent_encoded(key, domain);
  key += '/';
  // An empty identifier still needs a path segment of its own.
  key += '_';
  http::append_percent_encoded(key, identifier);
  key += '/';
  return key;
}

std::string snapshot_object_key(std::string_view prefix, const snapshot& value,
                                std::string_view unique) {
  std::string key = snapshot_objects_prefix(prefix, value.domain, value.identifier);
  key += std::to_string(value.sequence);
  key += '-';
  key += unique;
  key += ".json";
  return key;
}

std::optional<std::uint64_t> snapshot_object_sequence(std::string_view stream_prefix,
                                                      std::string_view key) {
  if (!key.starts_with(stream_prefix) || !key.ends_with(".json")) return std::nullopt;
  const std::string_view name = key.substr(stream_prefix.size());
  std::uint64_t sequence = 0;
  const auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), sequence);
  if (ec != std::errc{} || end == name.data() || end == name.data() + name.size() || *end != '-')
    return std::nullopt;
  // Exactly a UUID before ".json": offloaded event payloads may share the prefix, and their
  // keys (`<id>.<digest>.json`) never end that way.
  const std::string_view unique = name.substr(end + 1 - name.data());
  constexpr std::size_t uuid_size = 36;
  if (unique.size() != uuid_size + 5 || unique.find_first_not_of("0123456789abcdef-") != uuid_size)
    return std::nullopt;
  return sequence;
}

}  // namespace evstore
