#include "store/item_codec.hpp"

#include <array>

#include <boost/system/system_error.hpp>

#include "event_attributes.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"
#include "json_text.hpp"
#include "store/item_size.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

[[noreturn]] void corrupt(std::string_view key, std::string_view what) {
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "the item '" + std::string(key) +
                                        "' is not an event of the shared table layout: " +
                                        std::string(what) + "; inspect or delete the item");
}

using detail::event_attribute;
using detail::event_attributes;

constexpr std::array<std::string_view, detail::event_attribute_count> event_attribute_names{
    "id",          "created", "domain",      "type", "identifier", "correlationId",
    "causationId", "payload", "s3Reference", "meta", "sequence"};

std::string_view name_of(event_attribute a) {
  return event_attribute_names[static_cast<std::size_t>(a)];
}

ddb::attribute_value* slot(event_attributes& attributes, event_attribute a) {
  auto& value = attributes[static_cast<std::size_t>(a)];
  return value ? &*value : nullptr;
}

std::string* string_attribute(event_attributes& attributes, std::string_view key, event_attribute a,
                              bool required) {
  ddb::attribute_value* value = slot(attributes, a);
  if (!value) {
    if (required) corrupt(key, "attribute '" + std::string(name_of(a)) + "' is missing");
    return nullptr;
  }
  if (value->type() != ddb::attribute_type::s)
    corrupt(key, "attribute '" + std::string(name_of(a)) + "' is not a string");
  return &value->as_string();
}

std::optional<std::string> optional_string(event_attributes& attributes, std::string_view key,
                                           event_attribute a) {
  std::string* value = string_attribute(attributes, key, a, false);
  return value ? std::optional<std::string>(std::move(*value)) : std::nullopt;
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

std::size_t event_item_size(const event& e, const std::optional<s3_location>& offloaded,
                            unsigned time_bucket_shards) {
  // The attributes of to_item, each its name's and its value's bytes (item_size).
  const auto text = [](std::string_view name, std::size_t value_bytes) {
    return name.size() + value_bytes;
  };
  const timestamp time = e.created.value_or(timestamp{});
  std::size_t size = text("id", event_key_prefix.size() + e.id.size());
  size += text(
      "timeBucket",
      time_bucket(month_of(time), shard_of(e.id, time_bucket_shards), time_bucket_shards).size());
  size += text(stream_attribute, e.domain.size() + 2 + e.identifier.value_or("").size());
  size += text("created", format_iso8601(time).size());
  size += text("domain", e.domain.size());
  size += text("type", e.type.size());
  if (e.identifier && !e.identifier->empty()) size += text("identifier", e.identifier->size());
  if (e.correlation_id) size += text("correlationId", e.correlation_id->size());
  if (e.causation_id) size += text("causationId", e.causation_id->size());
  if (offloaded)
    size += text("s3Reference", offloaded->bucket.size() + 2 + offloaded->key.size());
  else
    size += text("payload", e.payload_json.size());
  if (e.meta_json) {
    // Rare and small: sized from the map to_item stores (and its errors).
    event meta_only;
    meta_only.id = e.id;
    meta_only.meta_json = e.meta_json;
    ddb::item meta;
    meta.emplace("meta", to_item(meta_only).at("meta"));
    size += item_size(meta);
  }
  size += text("sequence", attribute_size(ddb::attribute_value::number(e.sequence)));
  return size;
}

namespace detail {

std::optional<event_attribute> event_attribute_named(std::string_view name) noexcept {
  for (std::size_t i = 0; i < event_attribute_names.size(); ++i)
    if (event_attribute_names[i] == name) return static_cast<event_attribute>(i);
  return std::nullopt;
}

decoded_item event_from_attributes(event_attributes& attributes) {
  // The id names the item in the messages below; its slot is never moved from.
  const std::string& key = *string_attribute(attributes, "(unknown)", event_attribute::id, true);
  if (!key.starts_with(event_key_prefix)) corrupt(key, "'id' does not start with EventID#");

  decoded_item out;
  event& e = out.value;
  e.id = key.substr(event_key_prefix.size());
  const std::string* created = string_attribute(attributes, key, event_attribute::created, true);
  try {
    e.created = parse_iso8601(*created);
  } catch (const boost::system::system_error&) {
    corrupt(key, "'created' is not an ISO-8601 time: '" + *created + "'");
  }
  out.created_key = *created;
  e.domain = std::move(*string_attribute(attributes, key, event_attribute::domain, true));
  e.type = std::move(*string_attribute(attributes, key, event_attribute::type, true));
  e.identifier = optional_string(attributes, key, event_attribute::identifier);
  e.correlation_id = optional_string(attributes, key, event_attribute::correlation_id);
  e.causation_id = optional_string(attributes, key, event_attribute::causation_id);
  if (std::string* payload = string_attribute(attributes, key, event_attribute::payload, false)) {
    // Readers hand the text on as JSON (the tool splices it into its lines): text that is not
    // one JSON value is a corrupt item, not an event.
    if (detail::classify_json(*payload) == detail::json_kind::invalid)
      corrupt(key, "'payload' is not JSON text");
    e.payload_json = std::move(*payload);
  }
  if (const std::string* reference =
          string_attribute(attributes, key, event_attribute::s3_reference, false)) {
    try {
      out.offloaded = parse_s3_reference(*reference);
    } catch (const boost::system::system_error&) {
      corrupt(key, "'s3Reference' is not of the form <bucket>::<key>");
    }
  }
  if (const ddb::attribute_value* meta = slot(attributes, event_attribute::meta)) {
    if (meta->type() == ddb::attribute_type::m)
      e.meta_json = ddb::to_document_text(*meta);
    else if (!meta->is_null())
      corrupt(key, "'meta' is not a map");
  }
  if (const ddb::attribute_value* sequence = slot(attributes, event_attribute::sequence)) {
    try {
      e.sequence = sequence->as_uint64();
    } catch (const boost::system::system_error&) {
      corrupt(key, "'sequence' is not a non-negative integer");
    }
  }
  return out;
}

}  // namespace detail

decoded_item event_from_item(const ddb::item& item) {
  event_attributes attributes;
  for (const auto& [name, value] : item)
    if (const auto a = detail::event_attribute_named(name))
      attributes[static_cast<std::size_t>(*a)] = value;
  return detail::event_from_attributes(attributes);
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
