#include "evstore/dynamodb/transact_write_items.hpp"

#include "json_writer.hpp"
#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

constexpr std::string_view operation = transact_write_items_request::operation;

// Bodies are written as text: ten items of payload would otherwise be copied into a JSON
// document and out again.

/// `"Name":"value"` after a comma.
void append_member(std::string& out, std::string_view name, std::string_view value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_json_string(out, value);
}

/// `"Name":{wire item}` after a comma.
void append_item_member(std::string& out, std::string_view name, const item& value) {
  out += ",\"";
  out += name;
  out += "\":";
  append_wire_json(out, value);
}

// A condition check's condition is required; the other kinds' is optional.
const std::string* condition_of(const std::optional<std::string>& condition) {
  return condition ? &*condition : nullptr;
}
const std::string* condition_of(const std::string& condition) {
  return &condition;
}

// Opens the action (`{"<Kind>":{"TableName":...`) with the members every kind shares.
template <class Action>
void open_action(std::string& out, std::string_view kind, const Action& action, std::size_t index) {
  if (action.table_name.empty()) {
    invalid_request(operation, "action " + std::to_string(index) + " has no table name");
  }
  out += "{\"";
  out += kind;
  out += "\":{\"TableName\":";
  append_json_string(out, action.table_name);
  if (const std::string* condition = condition_of(action.condition_expression)) {
    append_member(out, "ConditionExpression", *condition);
  }
  append_expression_attributes(out, action.names, action.values);
  if (action.return_values_on_condition_check_failure !=
      return_values_on_condition_check_failure::none) {
    append_member(out, "ReturnValuesOnConditionCheckFailure",
                  wire_name(action.return_values_on_condition_check_failure));
  }
}

void close_action(std::string& out) {
  out += "}}";
}

void require_key(const item& key, std::size_t index) {
  if (key.empty()) invalid_request(operation, "action " + std::to_string(index) + " has no key");
}

void append_action(std::string& out, const transact_put& put, std::size_t index) {
  if (put.item.empty()) {
    invalid_request(operation, "put " + std::to_string(index) + " has an empty item");
  }
  open_action(out, "Put", put, index);
  append_item_member(out, "Item", put.item);
  close_action(out);
}

void append_action(std::string& out, const transact_update& update, std::size_t index) {
  require_key(update.key, index);
  if (update.update_expression.empty()) {
    invalid_request(operation, "update " + std::to_string(index) + " has no update expression");
  }
  open_action(out, "Update", update, index);
  append_item_member(out, "Key", update.key);
  append_member(out, "UpdateExpression", update.update_expression);
  close_action(out);
}

void append_action(std::string& out, const transact_delete& del, std::size_t index) {
  require_key(del.key, index);
  open_action(out, "Delete", del, index);
  append_item_member(out, "Key", del.key);
  close_action(out);
}

void append_action(std::string& out, const transact_condition_check& check, std::size_t index) {
  require_key(check.key, index);
  if (check.condition_expression.empty()) {
    invalid_request(operation,
                    "condition check " + std::to_string(index) + " has no condition expression");
  }
  open_action(out, "ConditionCheck", check, index);
  append_item_member(out, "Key", check.key);
  close_action(out);
}

}  // namespace

std::string to_body(const transact_write_items_request& request) {
  if (request.items.empty()) invalid_request(operation, "no actions");
  if (request.items.size() > transact_write_items_request::max_items) {
    invalid_request(operation, std::to_string(request.items.size()) + " actions, more than " +
                                   std::to_string(transact_write_items_request::max_items));
  }
  if (request.client_request_token) {
    const std::string& token = *request.client_request_token;
    if (token.empty() || token.size() > 36) {
      invalid_request(operation, "the client request token must have 1 to 36 characters");
    }
  }
  std::string body = "{\"TransactItems\":[";
  for (std::size_t i = 0; i < request.items.size(); ++i) {
    if (i > 0) body += ',';
    std::visit([&](const auto& action) { append_action(body, action, i); }, request.items[i]);
  }
  body += ']';
  if (request.client_request_token) {
    append_member(body, "ClientRequestToken", *request.client_request_token);
  }
  if (request.return_consumed_capacity != return_consumed_capacity::none) {
    append_member(body, "ReturnConsumedCapacity", wire_name(request.return_consumed_capacity));
  }
  body += '}';
  return body;
}

transact_write_items_result parse_transact_write_items_result(std::string_view body) {
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_body(body, operation, resource);
  const boost::json::object& o = document.get_object();
  return {consumed_capacity_list(o, json_path{nullptr, operation})};
}

}  // namespace evstore::dynamodb
