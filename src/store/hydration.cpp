// Hydration: the events of index entries, read by BatchGetItem (unprocessed keys asked for again)
// and their offloaded payloads fetched; the event of an id.
#include "repo_state.hpp"

#include <algorithm>
#include <map>

#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "payload_reads.hpp"
#include "store/batch_get_events.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;

/// Offloaded payloads of one hydration fetched at once when the caller sets no limit.
constexpr std::size_t concurrent_payload_fetches = 8;
/// BatchGetItem rounds in a row that read nothing before hydration gives up.
constexpr unsigned max_stalled_batch_rounds = 10;

/// The event id of an index entry (its `id` is `EventID#<id>`), to look its event up by.
std::string_view event_id_of(const ddb::item& entry) {
  const auto id = entry.find("id");
  if (id == entry.end() || id->second.type() != ddb::attribute_type::s ||
      !id->second.as_string().starts_with(event_key_prefix)) {
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "an index entry lacks the key attribute 'id' of the form "
                                      "EventID#<id>: inspect the table");
  }
  return std::string_view(id->second.as_string()).substr(event_key_prefix.size());
}

ddb::item primary_key(const ddb::item& entry) {
  ddb::item key;
  key.emplace("id", entry.at("id"));
  key.emplace("created", entry.at("created"));
  return key;
}

}  // namespace

// GCC 12 takes the frame allocation of this coroutine for a mismatched new/delete pair (GCC
// bug 109224, a false positive with class-specific operator new in coroutines).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<std::vector<std::optional<decoded_item>>> repo_state::batch_get(
    const std::vector<ddb::item>& keys) {
  // Responses are read straight into events (event_decoder: no JSON document, no item maps).
  // Found events by their item key (id, created): other writers can store one id in two items,
  // and each key must get its own item.
  std::map<std::pair<std::string, std::string>, decoded_item> found;
  std::vector<ddb::item> pending = keys;
  unsigned stalled = 0;
  while (!pending.empty()) {
    ddb::batch_get_item_request request;
    request.request_items[table] = ddb::keys_and_attributes{pending, true, std::nullopt, {}};
    request.return_consumed_capacity = ddb::return_consumed_capacity::total;
    std::vector<decoded_item> events;
    event_decoder decoder(events);
    ddb::batch_get_item_remainder rest = co_await ddb.batch_get_item(request, decoder);
    for (decoded_item& item : events) {
      std::pair<std::string, std::string> key{item.value.id, item.created_key};
      found.insert_or_assign(std::move(key), std::move(item));
    }
    std::vector<ddb::item> unprocessed = std::move(rest.unprocessed_keys);
    if (unprocessed.empty()) break;
    stalled = unprocessed.size() < pending.size() ? 0 : stalled + 1;
    if (stalled >= max_stalled_batch_rounds) {
      throw boost::system::system_error(
          make_error_code(ddb::errc::throughput_exceeded),
          "BatchGetItem on table '" + table + "' left " + std::to_string(unprocessed.size()) +
              " keys unprocessed " + std::to_string(stalled) +
              " times in a row: the table's read capacity is too low; raise it or retry later");
    }
    log(log_level::debug, "BatchGetItem left " + std::to_string(unprocessed.size()) +
                              " keys unprocessed; asking for them again");
    co_await backoff(stalled, std::chrono::milliseconds{50}, std::chrono::milliseconds{2000});
    pending = std::move(unprocessed);
  }
  std::vector<std::optional<decoded_item>> ordered;
  ordered.reserve(keys.size());
  for (const ddb::item& key : keys) {
    auto node = found.extract(
        std::pair<std::string, std::string>{event_id_of(key), key.at("created").as_string()});
    ordered.push_back(node ? std::optional<decoded_item>(std::move(node.mapped())) : std::nullopt);
  }
  co_return ordered;
}
#pragma GCC diagnostic pop

asio::awaitable<std::optional<event>> repo_state::event_by_id(std::string id) {
  ddb::query_request request;
  request.table_name = table;
  request.key_condition_expression = "#id = :id";
  request.names = {{"#id", "id"}};
  request.values = {{":id", ddb::attribute_value::string(event_key(id))}};
  request.consistent_read = true;
  request.limit = 1;
  ddb::query_result result = co_await ddb.query(request);
  if (result.items.empty()) co_return std::nullopt;
  decoded_item decoded = event_from_item(result.items.front());
  co_return co_await complete(std::move(decoded));
}

asio::awaitable<std::vector<event>> repo_state::hydrate(const std::vector<ddb::item>& entries,
                                                        payload_read_limit* limit) {
  std::vector<decoded_item> decoded = co_await hydrate_items(entries, limit);
  std::vector<event> events;
  events.reserve(decoded.size());
  for (decoded_item& item : decoded) events.push_back(std::move(item.value));
  co_return events;
}

asio::awaitable<std::vector<decoded_item>> repo_state::hydrate_items(
    const std::vector<ddb::item>& entries, payload_read_limit* limit) {
  std::vector<decoded_item> decoded;
  decoded.reserve(entries.size());
  for (std::size_t start = 0; start < entries.size();
       start += ddb::batch_get_item_request::max_keys) {
    const std::size_t end = std::min(entries.size(), start + ddb::batch_get_item_request::max_keys);
    std::vector<ddb::item> keys;
    keys.reserve(end - start);
    for (std::size_t i = start; i < end; ++i) keys.push_back(primary_key(entries[i]));
    std::vector<std::optional<decoded_item>> items = co_await batch_get(keys);
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!items[i]) {
        log(log_level::warning, "index entry " + keys[i].at("id").as_string() + " / " +
                                    keys[i].at("created").as_string() + " has no item in table '" +
                                    table + "' (deleted since it was indexed): skipped");
        continue;
      }
      decoded.push_back(std::move(*items[i]));
    }
  }
  if (limit) {
    co_await fetch_payloads(decoded, *limit);
  } else {
    payload_read_limit own_limit{executor, concurrent_payload_fetches};
    co_await fetch_payloads(decoded, own_limit);
  }
  co_return decoded;
}

}  // namespace evstore
