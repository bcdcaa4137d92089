#pragma once
// Tables as the TypeScript adapter leaves them, written with raw requests: its table (key
// id + created, its two KEYS_ONLY indexes, no stream index, no metadata item) and its event
// items (no `stream` attribute).

#include <string>

#include "store/item_codec.hpp"
#include "store_fixture.hpp"

namespace evstore::test {

/// The table as the adapter creates it: key id + created, its two KEYS_ONLY indexes only.
inline void create_adapter_table(store_fixture& f) {
  using dynamodb::key_type;
  using dynamodb::scalar_type;
  dynamodb::create_table_request request;
  request.table_name = f.store.table_name();
  request.attribute_definitions = {{"id", scalar_type::s},
                                   {"timeBucket", scalar_type::s},
                                   {"causationId", scalar_type::s},
                                   {"created", scalar_type::s}};
  request.key_schema = {{"id", key_type::hash}, {"created", key_type::range}};
  request.billing_mode = dynamodb::billing_mode::provisioned;
  const dynamodb::provisioned_throughput throughput{10, 10};
  request.provisioned_throughput = throughput;
  const dynamodb::projection keys_only{dynamodb::projection_type::keys_only, {}};
  request.global_secondary_indexes = {
      {"timeBucketIndex",
       {{"timeBucket", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput},
      {"causationIndex",
       {{"causationId", key_type::hash}, {"created", key_type::range}},
       keys_only,
       throughput}};
  f.run(f.ddb.create_table(request));
  f.run(f.ddb.wait_until_active(f.store.table_name()));
}

/// Writes `e` (id, created and sequence set) as the adapter does: no `stream` attribute, the
/// plain `YYYY-MM` bucket, no metadata item.
inline void put_adapter_event(store_fixture& f, const event& e) {
  dynamodb::put_item_request put;
  put.table_name = f.store.table_name();
  put.item = to_item(e);
  put.item.erase(std::string(stream_attribute));
  f.run(f.ddb.put_item(put));
}

/// Writes the stream's head item at `version`, as the adapter does after its events.
inline void put_adapter_head(store_fixture& f, const std::string& domain,
                             const std::string& identifier, std::uint64_t version) {
  dynamodb::put_item_request head;
  head.table_name = f.store.table_name();
  head.item = head_item_key(domain, identifier);
  head.item.emplace("version", dynamodb::attribute_value::number(version));
  f.run(f.ddb.put_item(head));
}

}  // namespace evstore::test
