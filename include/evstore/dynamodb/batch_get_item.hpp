#pragma once
// BatchGetItem: up to 100 items by key, from one or several tables. What DynamoDB did not read
// (a response passing 16 MB, throttling) comes back in unprocessed_keys, to ask for again.

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/dynamodb/capacity.hpp"
#include "evstore/dynamodb/expression.hpp"

namespace evstore::dynamodb {

/// The keys to read from one table, and how.
struct keys_and_attributes {
  std::vector<item> keys{};
  bool consistent_read = false;
  std::optional<std::string> projection_expression{};
  expression_attribute_names names{};
};

struct batch_get_item_request {
  static constexpr std::string_view operation = "BatchGetItem";
  static constexpr std::size_t max_keys = 100;
  /// Table name -> keys.
  std::map<std::string, keys_and_attributes, std::less<>> request_items{};
  dynamodb::return_consumed_capacity return_consumed_capacity = return_consumed_capacity::none;
};

struct batch_get_item_result {
  /// Table name -> the items found (in no particular order; missing keys are simply absent).
  std::map<std::string, std::vector<item>, std::less<>> responses{};
  /// Table name -> keys not read this time, with the request's options; empty when all were.
  std::map<std::string, keys_and_attributes, std::less<>> unprocessed_keys{};
  std::vector<dynamodb::consumed_capacity> consumed_capacity{};
};

/// Throws system_error(errc::invalid_request) for no keys or more than max_keys in total.
std::string to_body(const batch_get_item_request& request);
batch_get_item_result parse_batch_get_item_result(std::string_view body);

/// Receives the items of one table while a BatchGetItem response is read, with no document and
/// no item maps in between: for each item, on_item_begin, then for each attribute on_attribute
/// and (when wanted) on_value, then on_item_end. Attribute values are checked whether wanted or
/// not. Any of them may throw to stop the reading; the exception propagates unchanged.
class batch_get_item_visitor {
 public:
  virtual void on_item_begin() = 0;
  /// An attribute of the current item; whether its value is wanted. `name` is valid during the
  /// call only.
  virtual bool on_attribute(std::string_view name) = 0;
  /// The value of the attribute just named, when wanted.
  virtual void on_value(attribute_value value) = 0;
  /// The item's last attribute was read.
  virtual void on_item_end() = 0;

 protected:
  ~batch_get_item_visitor() = default;
};

/// What a BatchGetItem response holds besides the items of the table it was read for.
struct batch_get_item_remainder {
  /// The table's keys DynamoDB did not read this time (UnprocessedKeys), to ask for again.
  std::vector<item> unprocessed_keys{};
  /// The CapacityUnits of every table in ConsumedCapacity, summed (0 when not asked for).
  double consumed_capacity_units = 0;
};

/// Reads a BatchGetItem response body in one pass, handing the items of `table` to `visitor`
/// in response order (items of other tables are checked as JSON and skipped). Throws
/// system_error: errc::malformed_response for a body that is not a BatchGetItem response,
/// errc::invalid_attribute for a bad AttributeValue, both naming the path
/// ("BatchGetItem.Responses.<table>[3].payload: ...").
batch_get_item_remainder read_batch_get_item_result(std::string_view body, std::string_view table,
                                                    batch_get_item_visitor& visitor);

}  // namespace evstore::dynamodb
