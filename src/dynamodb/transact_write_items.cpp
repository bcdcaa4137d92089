#include "evstore/dynamodb/transact_write_items.hpp"

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace evstore::dynamodb {

using namespace detail;

namespace {

constexpr std::string_view operation = transact_write_items_request::operation;

// The members every action kind shares.
template <class Action>
boost::json::object action_json(const Action& action, std::size_t index) {
  if (action.table_name.empty()) {
    invalid_request(operation, "action " + std::to_string(index) + " has no table name");
  }
  boost::json::object out{{"TableName", action.table_name}};
  put_optional_string(out, "ConditionExpression", action.condition_expression);
  put_expression_attributes(out, action.names, action.values);
  if (action.return_values_on_condition_check_failure !=
      return_values_on_condition_check_failure::none) {
    out.emplace("ReturnValuesOnConditionCheckFailure",
                wire_name(action.return_values_on_condition_check_failure));
  }
  return out;
}

void require_key(const item& key, std::size_t index) {
  if (key.empty()) invalid_request(operation, "action " + std::to_string(index) + " has no key");
}

boost::json::object to_json(const transact_put& put, std::size_t index) {
  if (put.item.empty()) {
    invalid_request(operation, "put " + std::to_string(index) + " has an empty item");
  }
  boost::json::object out = action_json(put, index);
  out.emplace("Item", dynamodb::to_json(put.item));
  return {{"Put", std::move(out)}};
}

boost::json::object to_json(const transact_update& update, std::size_t index) {
  require_key(update.key, index);
  if (update.update_expression.empty()) {
    invalid_request(operation, "update " + std::to_string(index) + " has no update expression");
  }
  boost::json::object out = action_json(update, index);
  out.emplace("Key", dynamodb::to_json(update.key));
  out.emplace("UpdateExpression", update.update_expression);
  return {{"Update", std::move(out)}};
}

boost::json::object to_json(const transact_delete& del, std::size_t index) {
  require_key(del.key, index);
  boost::json::object out = action_json(del, index);
  out.emplace("Key", dynamodb::to_json(del.key));
  return {{"Delete", std::move(out)}};
}

boost::json::object to_json(const transact_condition_check& check, std::size_t index) {
  require_key(check.key, index);
  if (check.condition_expression.empty()) {
    invalid_request(operation,
                    "condition check " + std::to_string(index) + " has no condition expression");
  }
  boost::json::object out = action_json(check, index);
  out.emplace("Key", dynamodb::to_json(check.key));
  out.emplace("ConditionExpression", check.condition_expression);
  return {{"ConditionCheck", std::move(out)}};
}

}  // namespace

std::string to_body(const transact_write_items_request& request) {
  if (request.items.empty()) invalid_request(operation, "no actions");
  if (request.items.size() > transact_write_items_request::max_items) {
    invalid_request(operation, std::to_string(request.items.size()) + " actions, more than " +
                                   std::to_string(transact_write_items_request::max_items));
  }
  boost::json::array actions;
  actions.reserve(request.items.size());
  for (std::size_t i = 0; i < request.items.size(); ++i) {
    actions.push_back(
        std::visit([i](const auto& action) { return to_json(action, i); }, request.items[i]));
  }
  boost::json::object body{{"TransactItems", std::move(actions)}};
  if (request.client_request_token) {
    const std::string& token = *request.client_request_token;
    if (token.empty() || token.size() > 36) {
      invalid_request(operation, "the client request token must have 1 to 36 characters");
    }
    body.emplace("ClientRequestToken", token);
  }
  put_return_consumed_capacity(body, request.return_consumed_capacity);
  return boost::json::serialize(body);
}

transact_write_items_result parse_transact_write_items_result(std::string_view body) {
  boost::json::monotonic_resource resource;
  const boost::json::value document = parse_body(body, operation, resource);
  const boost::json::object& o = document.get_object();
  return {consumed_capacity_list(o, json_path{nullptr, operation})};
}

}  // namespace evstore::dynamodb
