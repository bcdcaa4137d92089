#include "evstore/store/item_codec.hpp"

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

[[noreturn]] void corrupt(std::string_view key, std::string_view what) {
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "the item '" + std::string(key) +
                                        "' is not an event of the shared table layout: " +
                                        std::string(what) + "; inspect or delete the item");
}

const ddb::attribute_value* find(const ddb::item& item, std::string_view name) {
  const auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}

const std::string* string_attribute(const ddb::item& item, std::string_view key,
                                    std::string_view name, bool required) {
  const ddb::attribute_value* value = find(item, name);
  if (!value) {
    if (required) corrupt(key, "attribute '" + std::string(name) + "' is missing");
    return nullptr;
  }
  if (value->type() != ddb::attribute_type::s)
    corrupt(key, "attribute '" + std::string(name) + "' is not a string");
  return &value->as_string();
}

std::optional<std::string> optional_string(const ddb::item& item, std::string_view key,
                                           std::string_view name) {
  const std::string* value = string_attribute(item, key, name, false);
  return value ? std::optional<std::string>(*value) : std::nullopt;
}

}  // namespace

std::string event_key(std::string_view id) {
  std::string key(event_key_prefix);
  key += id;
  return key;
}

std::string stream_name(std::string_view domain, std::string_view identifier) {
  std::string name(domain);
  name += "::";
  name += identifier;
  return name;
}

std::string head_key(std::string_view domain, std::string_view identifier) {
  return event_key("HEAD::" + stream_name(domain, identifier));
}

std::string to_s3_reference(const s3_location& location) {
  return location.bucket + "::" + location.key;
}

s3_location parse_s3_reference(std::string_view reference) {
  const std::size_t split = reference.find("::");
  if (split == std::string_view::npos || split == 0 || split + 2 == reference.size()) {
    throw boost::system::system_error(
        make_error_code(store_errc::corrupt_item),
        "s3Reference '" + std::string(reference) + "' is not of the form <bucket>::<key>");
  }
  return {std::string(reference.substr(0, split)), std::string(reference.substr(split + 2))};
}

ddb::item to_item(const event& e, const std::optional<s3_location>& offloaded,
                  unsigned time_bucket_shards) {
  const timestamp time = e.created.value_or(timestamp{});
  const std::string created = format_iso8601(time);
  ddb::item item;
  item.emplace("id", ddb::attribute_value::string(event_key(e.id)));
  item.emplace("timeBucket",
               ddb::attribute_value::string(time_bucket(
                   month_of(time), shard_of(e.id, time_bucket_shards), time_bucket_shards)));
  item.emplace(std::string(stream_attribute),
               ddb::attribute_value::string(stream_name(e.domain, e.identifier.value_or(""))));
  item.emplace("created", ddb::attribute_value::string(created));
  item.emplace("domain", ddb::attribute_value::string(e.domain));
  item.emplace("type", ddb::attribute_value::string(e.type));
  if (e.identifier && !e.identifier->empty())
    item.emplace("identifier", ddb::attribute_value::string(*e.identifier));
  if (e.correlation_id)
    item.emplace("correlationId", ddb::attribute_value::string(*e.correlation_id));
  if (e.causation_id) item.emplace("causationId", ddb::attribute_value::string(*e.causation_id));
  if (offloaded)
    item.emplace("s3Reference", ddb::attribute_value::string(to_s3_reference(*offloaded)));
  else
    item.emplace("payload", ddb::attribute_value::string(e.payload_json));
  if (e.meta_json) {
    try {
      item.emplace("meta", ddb::attribute_value::map(ddb::item_from_document_text(*e.meta_json)));
    } catch (const boost::system::system_error& error) {
      throw boost::system::system_error(make_error_code(store_errc::invalid_event),
                                        "the meta of event '" + e.id +
                                            "' cannot be stored as a DynamoDB map (" +
                                            error.what() + "); give meta as a JSON object");
    }
  }
  item.emplace("sequence", ddb::attribute_value::number(e.sequence));
  return item;
}

decoded_item event_from_item(const ddb::item& item) {
  const std::string* key_text = string_attribute(item, "(unknown)", "id", true);
  const std::string_view key = *key_text;
  if (!key.starts_with(event_key_prefix)) corrupt(key, "'id' does not start with EventID#");

  decoded_item out;
  event& e = out.value;
  e.id = std::string(key.substr(event_key_prefix.size()));
  const std::string* created = string_attribute(item, key, "created", true);
  try {
    e.created = parse_iso8601(*created);
  } catch (const boost::system::system_error&) {
    corrupt(key, "'created' is not an ISO-8601 time: '" + *created + "'");
  }
  e.domain = *string_attribute(item, key, "domain", true);
  e.type = *string_attribute(item, key, "type", true);
  e.identifier = optional_string(item, key, "identifier");
  e.correlation_id = optional_string(item, key, "correlationId");
  e.causation_id = optional_string(item, key, "causationId");
  if (const std::string* payload = string_attribute(item, key, "payload", false))
    e.payload_json = *payload;
  if (const std::string* reference = string_attribute(item, key, "s3Reference", false)) {
    try {
      out.offloaded = parse_s3_reference(*reference);
    } catch (const boost::system::system_error&) {
      corrupt(key, "'s3Reference' is not of the form <bucket>::<key>");
    }
  }
  if (const ddb::attribute_value* meta = find(item, "meta")) {
    if (meta->type() == ddb::attribute_type::m)
      e.meta_json = ddb::to_document_text(*meta);
    else if (!meta->is_null())
      corrupt(key, "'meta' is not a map");
  }
  if (const ddb::attribute_value* sequence = find(item, "sequence")) {
    try {
      e.sequence = sequence->as_uint64();
    } catch (const boost::system::system_error&) {
      corrupt(key, "'sequence' is not a non-negative integer");
    }
  }
  return out;
}

ddb::item event_item_key(std::string_view id, std::string_view created_iso) {
  ddb::item key;
  key.emplace("id", ddb::attribute_value::string(event_key(id)));
  key.emplace("created", ddb::attribute_value::string(std::string(created_iso)));
  return key;
}

ddb::item head_item_key(std::string_view domain, std::string_view identifier) {
  ddb::item key;
  key.emplace("id", ddb::attribute_value::string(head_key(domain, identifier)));
  key.emplace("created", ddb::attribute_value::string(std::string(head_created_value)));
  return key;
}

std::uint64_t head_version(const std::optional<ddb::item>& head) {
  if (!head) return 0;
  const auto it = head->find("version");
  if (it == head->end()) return 0;
  try {
    return it->second.as_uint64();
  } catch (const boost::system::system_error&) {
    const auto id = head->find("id");
    corrupt(id != head->end() && id->second.type() == ddb::attribute_type::s
                ? id->second.as_string()
                : std::string("stream head"),
            "'version' is not a non-negative integer");
  }
}

}  // namespace evstore
