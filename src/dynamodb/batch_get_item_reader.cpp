// read_batch_get_item_result: the envelope (Responses, UnprocessedKeys, ConsumedCapacity) is
// followed by a small frame stack; S and N values go to the visitor straight from the scanner's
// view of the text, other values are rebuilt as JSON and read as the wire form.
#include "evstore/dynamodb/batch_get_item.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/system/system_error.hpp>

#include "aws/json_scanner.hpp"
#include "evstore/dynamodb/error.hpp"

namespace evstore::dynamodb {
namespace {

namespace json = boost::json;

constexpr std::string_view operation = "BatchGetItem";

/// What the object or array being read is.
enum class frame : std::uint8_t {
  top,          // the response object
  responses,    // Responses: table name -> items
  items,        // the array of the wanted table's items
  item,         // one item: attribute name -> AttributeValue
  attribute,    // one AttributeValue: {"<type>": value}
  unprocessed,  // UnprocessedKeys: table name -> KeysAndAttributes
};

/// What a value read whole into a JSON value (off the fast path) is for.
enum class capture_purpose : std::uint8_t { skip, attribute, unprocessed_keys, consumed_capacity };

std::string_view describe_kind(json::kind kind) {
  switch (kind) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "an unknown JSON value";
}

class items_handler {
 public:
  items_handler(std::string_view table, batch_get_item_visitor& visitor)
      : table_(table), visitor_(visitor) {}

  batch_get_item_remainder result;

  /// After the whole body was read.
  void finish() const {
    if (!seen_responses_) fail(errc::malformed_response, path(), "missing member \"Responses\"");
  }

  void on_object_begin() {
    if (capturing_) {
      ++capture_depth_;
      return;
    }
    begin_container(json::kind::object);
  }
  void on_object_end(std::size_t size) {
    if (capturing_) {
      if (capture_keeps()) stack_.push_object(size);
      if (--capture_depth_ == 0) end_capture();
      return;
    }
    end_object();
  }
  void on_array_begin() {
    if (capturing_) {
      ++capture_depth_;
      return;
    }
    begin_container(json::kind::array);
  }
  void on_array_end(std::size_t size) {
    if (capturing_) {
      if (capture_keeps()) stack_.push_array(size);
      if (--capture_depth_ == 0) end_capture();
      return;
    }
    frames_.pop_back();  // the items array: the only array read outside a capture
  }

  void on_key(std::string_view s) {
    if (capturing_) {
      if (capture_depth_ == 1 && purpose_ == capture_purpose::attribute) more_than_one_type();
      if (capture_keeps()) stack_.push_key(s);
      return;
    }
    if (!frames_.empty() && frames_.back() == frame::attribute) {
      if (!type_.empty()) more_than_one_type();
      type_.assign(s);
      return;
    }
    key_.assign(s);
  }

  void on_string(std::string_view s) {
    if (!capturing_) {
      if (!frames_.empty() && frames_.back() == frame::attribute &&
          (type_ == "S" || type_ == "N")) {
        fast_value(s);
        return;
      }
      begin_scalar(json::kind::string);
    }
    if (capture_keeps()) stack_.push_string(s);
    scalar_done();
  }
  void on_int64(std::int64_t i) {
    begin_scalar(json::kind::int64);
    if (capture_keeps()) stack_.push_int64(i);
    scalar_done();
  }
  void on_uint64(std::uint64_t u) {
    begin_scalar(json::kind::uint64);
    if (capture_keeps()) stack_.push_uint64(u);
    scalar_done();
  }
  void on_double(double d) {
    begin_scalar(json::kind::double_);
    if (capture_keeps()) stack_.push_double(d);
    scalar_done();
  }
  void on_bool(bool b) {
    begin_scalar(json::kind::bool_);
    if (capture_keeps()) stack_.push_bool(b);
    scalar_done();
  }
  void on_null() {
    begin_scalar(json::kind::null);
    if (capture_keeps()) stack_.push_null();
    scalar_done();
  }

 private:
  [[noreturn]] static void fail(errc code, const std::string& at, std::string_view what) {
    std::string message = at;
    message += ": ";
    message += what;
    throw boost::system::system_error(make_error_code(code), message);
  }

  /// The path of the value being read, for messages: BatchGetItem.Responses.<table>[i].<name>.
  std::string path() const {
    std::string out(operation);
    for (std::size_t depth = 0; depth < frames_.size(); ++depth) {
      switch (frames_[depth]) {
        case frame::top:
          break;
        case frame::responses:
          out += ".Responses";
          break;
        case frame::unprocessed:
          out += ".UnprocessedKeys";
          break;
        case frame::items:
          out += '.';
          out += table_;
          break;
        case frame::item:
          out += '[' + std::to_string(item_index_) + ']';
          break;
        case frame::attribute:
          out += '.';
          out += attribute_name_;
          break;
      }
    }
    return out;
  }
  /// The path of the member named by the key just read.
  std::string member_path() const {
    std::string out = path();
    out += '.';
    out += key_;
    return out;
  }

  [[noreturn]] void unexpected(json::kind found, std::string_view expected) const {
    std::string what = "expected ";
    what += expected;
    what += ", found ";
    what += describe_kind(found);
    fail(errc::malformed_response, frames_.empty() ? path() : member_path(), what);
  }
  [[noreturn]] void not_an_attribute_value() const {
    fail(errc::invalid_attribute, path(),
         "expected an AttributeValue: an object with exactly one type member");
  }
  [[noreturn]] void more_than_one_type() const { not_an_attribute_value(); }

  bool capture_keeps() const { return capturing_ && purpose_ != capture_purpose::skip; }

  void start_capture(capture_purpose purpose) {
    capturing_ = true;
    capture_depth_ = 0;
    purpose_ = purpose;
    if (purpose != capture_purpose::skip) stack_.reset();
  }

  /// A value of a member whose name was read in a frame (or the document itself) begins.
  void begin_container(json::kind kind) {
    if (frames_.empty()) {
      if (kind != json::kind::object) unexpected(kind, "a JSON object");
      frames_.push_back(frame::top);
      return;
    }
    switch (frames_.back()) {
      case frame::top:
        if (key_ == "ConsumedCapacity") {
          key_.clear();
          start_capture(capture_purpose::consumed_capacity);
          capture_depth_ = 1;
          return;
        }
        if (key_ == "Responses" || key_ == "UnprocessedKeys") {
          if (kind != json::kind::object) unexpected(kind, "an object");
          const bool responses = key_ == "Responses";
          seen_responses_ = seen_responses_ || responses;
          frames_.push_back(responses ? frame::responses : frame::unprocessed);
          key_.clear();
          return;
        }
        break;
      case frame::responses:
        if (key_ == table_) {
          if (kind != json::kind::array) unexpected(kind, "an array");
          frames_.push_back(frame::items);
          key_.clear();
          item_index_ = 0;
          return;
        }
        break;
      case frame::items:
        if (kind != json::kind::object) {
          fail(errc::malformed_response, path() + '[' + std::to_string(item_index_) + ']',
               std::string("expected an object, found ") + std::string(describe_kind(kind)));
        }
        frames_.push_back(frame::item);
        visitor_.on_item_begin();
        return;
      case frame::item:
        if (kind != json::kind::object) {
          attribute_name_ = key_;
          frames_.push_back(frame::attribute);
          not_an_attribute_value();
        }
        attribute_name_.swap(key_);
        key_.clear();
        wanted_ = visitor_.on_attribute(attribute_name_);
        frames_.push_back(frame::attribute);
        type_.clear();
        return;
      case frame::attribute:
        // An M, L, set, or a type member whose value is not a string: read it whole.
        start_attribute_capture();
        ++capture_depth_;
        return;
      case frame::unprocessed:
        if (key_ == table_) {
          key_.clear();
          start_capture(capture_purpose::unprocessed_keys);
          capture_depth_ = 1;
          return;
        }
        break;
    }
    // A member the events do not need (ConsumedCapacity, another table's items): skipped.
    key_.clear();
    start_capture(capture_purpose::skip);
    capture_depth_ = 1;
  }

  void begin_scalar(json::kind kind) {
    if (capturing_) return;
    if (!frames_.empty() && frames_.back() == frame::attribute) {
      start_attribute_capture();
      return;
    }
    begin_scalar_outside(kind);
  }

  /// A scalar value outside an AttributeValue: only skipped members may be one.
  void begin_scalar_outside(json::kind kind) {
    if (frames_.empty()) unexpected(kind, "a JSON object");
    switch (frames_.back()) {
      case frame::top:
        if ((key_ == "UnprocessedKeys" || key_ == "ConsumedCapacity") && kind == json::kind::null)
          break;  // as if absent
        if (key_ == "ConsumedCapacity") unexpected(kind, "an array");
        if (key_ == "Responses" || key_ == "UnprocessedKeys") unexpected(kind, "an object");
        break;
      case frame::responses:
        if (key_ == table_) unexpected(kind, "an array");
        break;
      case frame::items:
        fail(errc::malformed_response, path() + '[' + std::to_string(item_index_) + ']',
             std::string("expected an object, found ") + std::string(describe_kind(kind)));
      case frame::item:
        attribute_name_ = key_;
        frames_.push_back(frame::attribute);
        not_an_attribute_value();
      case frame::unprocessed:
        if (key_ == table_) unexpected(kind, "an object");
        break;
      case frame::attribute:
        break;
    }
    key_.clear();
    start_capture(capture_purpose::skip);
  }

  void scalar_done() {
    if (capturing_ && capture_depth_ == 0) end_capture();
  }

  /// The AttributeValue being read is not an S or N string: it is rebuilt as JSON from its type
  /// member on and parsed as the DynamoDB wire form.
  void start_attribute_capture() {
    start_capture(capture_purpose::attribute);
    capture_depth_ = 1;  // the AttributeValue object itself
    stack_.push_key(type_);
  }

  void end_capture() {
    capturing_ = false;
    switch (purpose_) {
      case capture_purpose::skip:
        return;
      case capture_purpose::attribute: {
        // The AttributeValue's closing brace ended the capture: its frame is done.
        const json::value wire = stack_.release();
        attribute_value value = attribute_value_from_json(wire, path());
        frames_.pop_back();
        if (wanted_) visitor_.on_value(std::move(value));
        return;
      }
      case capture_purpose::consumed_capacity:
        add_consumed_capacity(stack_.release());
        return;
      case capture_purpose::unprocessed_keys: {
        const json::value entry = stack_.release();
        const std::string at = member_path_of_table("UnprocessedKeys");
        const json::object* keys_and_attributes = entry.if_object();
        if (keys_and_attributes == nullptr)
          fail(
              errc::malformed_response, at,
              std::string("expected an object, found ") + std::string(describe_kind(entry.kind())));
        const json::value* keys = keys_and_attributes->if_contains("Keys");
        if (keys == nullptr) fail(errc::malformed_response, at, "missing member \"Keys\"");
        const json::array* list = keys->if_array();
        if (list == nullptr)
          fail(errc::malformed_response, at + ".Keys",
               std::string("expected an array, found ") + std::string(describe_kind(keys->kind())));
        for (std::size_t i = 0; i < list->size(); ++i)
          result.unprocessed_keys.push_back(
              item_from_json((*list)[i], at + ".Keys[" + std::to_string(i) + ']'));
        return;
      }
    }
  }

  /// Sums the CapacityUnits of a ConsumedCapacity array.
  void add_consumed_capacity(const json::value& list) {
    const std::string at = std::string(operation) + ".ConsumedCapacity";
    const json::array* entries = list.if_array();
    if (entries == nullptr)
      fail(errc::malformed_response, at,
           std::string("expected an array, found ") + std::string(describe_kind(list.kind())));
    for (std::size_t i = 0; i < entries->size(); ++i) {
      const json::object* entry = (*entries)[i].if_object();
      const std::string entry_at = at + '[' + std::to_string(i) + ']';
      if (entry == nullptr)
        fail(errc::malformed_response, entry_at,
             std::string("expected an object, found ") +
                 std::string(describe_kind((*entries)[i].kind())));
      const json::value* units = entry->if_contains("CapacityUnits");
      if (units == nullptr || units->is_null()) continue;
      if (!units->is_number())
        fail(errc::malformed_response, entry_at + ".CapacityUnits",
             std::string("expected a number, found ") + std::string(describe_kind(units->kind())));
      result.consumed_capacity_units += units->to_number<double>();
    }
  }

  std::string member_path_of_table(std::string_view member) const {
    std::string out(operation);
    out += '.';
    out += member;
    out += '.';
    out += table_;
    return out;
  }

  /// The string of an S or N AttributeValue.
  void fast_value(std::string_view text) {
    if (type_ == "S") {
      if (wanted_) visitor_.on_value(attribute_value::string(std::string(text)));
      return;
    }
    if (!is_number_text(text))
      fail(errc::invalid_attribute, path() + ".N",
           "N is not a decimal number DynamoDB can hold (38 significant digits, magnitude "
           "1E-130 to 9.99E+125)");
    if (wanted_) visitor_.on_value(attribute_value::number(text));
  }

  void end_object() {
    switch (frames_.back()) {
      case frame::attribute:
        if (type_.empty()) not_an_attribute_value();
        frames_.pop_back();
        return;
      case frame::item:
        frames_.pop_back();
        visitor_.on_item_end();
        ++item_index_;
        return;
      case frame::top:
      case frame::responses:
      case frame::unprocessed:
      case frame::items:
        frames_.pop_back();
        return;
    }
  }

  std::string_view table_;
  batch_get_item_visitor& visitor_;
  std::vector<frame> frames_;
  bool seen_responses_ = false;
  std::size_t item_index_ = 0;
  /// The member name just read (outside captures).
  std::string key_;
  /// The attribute being read, whether the visitor wants it, and its type member's name.
  std::string attribute_name_;
  bool wanted_ = false;
  std::string type_;

  bool capturing_ = false;
  capture_purpose purpose_ = capture_purpose::skip;
  /// Containers open in the captured value (1 while inside its outermost one).
  std::size_t capture_depth_ = 0;
  json::value_stack stack_;
};

}  // namespace

batch_get_item_remainder read_batch_get_item_result(std::string_view body, std::string_view table,
                                                    batch_get_item_visitor& visitor) {
  items_handler handler(table, visitor);
  try {
    // 32 levels of nested attributes, each two JSON levels deep, inside the envelope.
    aws::detail::json_scanner<items_handler>(body, handler, 256).run();
  } catch (const aws::detail::json_syntax_error& error) {
    std::string what(operation);
    what += " response body is not JSON (";
    what += error.what;
    what += " at offset ";
    what += std::to_string(error.offset);
    what += " of ";
    what += std::to_string(body.size());
    what += " bytes)";
    throw boost::system::system_error(make_error_code(errc::malformed_response), what);
  }
  handler.finish();
  return std::move(handler.result);
}

}  // namespace evstore::dynamodb
