#include "store/batch_get_events.hpp"

#include <type_traits>
#include <utility>

#include "event_attributes.hpp"

namespace evstore {

void event_decoder::on_item_begin() {
  attributes_ = {};
}

bool event_decoder::on_attribute(std::string_view name) {
  const std::optional<detail::event_attribute> slot = detail::event_attribute_named(name);
  if (!slot) return false;
  slot_ = static_cast<std::size_t>(*slot);
  return true;
}

void event_decoder::on_value(dynamodb::attribute_value value) {
  attributes_[slot_] = std::move(value);
}

void event_decoder::on_item_end() {
  static_assert(std::is_same_v<decltype(attributes_), detail::event_attributes>);
  events_.push_back(detail::event_from_attributes(attributes_));
}

batch_get_events decode_batch_get_events(std::string_view body, std::string_view table) {
  batch_get_events out;
  event_decoder decoder(out.events);
  dynamodb::batch_get_item_remainder rest =
      dynamodb::read_batch_get_item_result(body, table, decoder);
  out.unprocessed_keys = std::move(rest.unprocessed_keys);
  out.consumed_capacity_units = rest.consumed_capacity_units;
  return out;
}

}  // namespace evstore
