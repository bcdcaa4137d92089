#pragma once
// The DynamoDB AttributeValue: a value of one of the ten DynamoDB types, its JSON wire form
// ({"S":"..."}, {"N":"12"}, {"M":{...}}, ...) and plain JSON documents (what the AWS "document
// client" reads and writes).
//
// Numbers stay decimal text (never go through double): DynamoDB numbers have 38 digits of
// precision. Binary values hold raw bytes; the wire form and documents carry them as base64.

#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/fwd.hpp>

namespace evstore::dynamodb {

class attribute_value;

/// Raw bytes of a B value or a BS element.
using bytes = std::vector<std::uint8_t>;
/// M values and items: attribute name -> value. Looks up by std::string_view too.
using attribute_map = std::map<std::string, attribute_value, std::less<>>;
/// An item as DynamoDB stores it (its top-level attributes).
using item = attribute_map;
using attribute_list = std::vector<attribute_value>;

enum class attribute_type : std::uint8_t { s, n, b, boolean, null, m, l, ss, ns, bs };

/// The wire name of a type: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
std::string_view wire_name(attribute_type type) noexcept;

/// Whether `text` is a number DynamoDB can hold, written in JSON number syntax
/// (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?): at most 38 significant digits and a
/// magnitude from 1E-130 to 9.99...E+125, or zero (whose written exponent must lie in -130..125).
bool is_number_text(std::string_view text) noexcept;

class attribute_value {
 public:
  /// NULL.
  attribute_value() noexcept = default;

  static attribute_value string(std::string value);
  /// Throws system_error(errc::invalid_attribute) when `text` is not a number.
  static attribute_value number(std::string_view text);
  template <std::integral T>
  requires(!std::same_as<T, bool>) static attribute_value number(T value) {
    return attribute_value{number_value{std::to_string(value)}};
  }
  static attribute_value binary(bytes value);
  static attribute_value binary(std::string_view raw_bytes);
  static attribute_value boolean(bool value);
  static attribute_value null() noexcept { return {}; }
  static attribute_value map(attribute_map value);
  static attribute_value list(attribute_list value);
  static attribute_value string_set(std::vector<std::string> values);
  /// Throws system_error(errc::invalid_attribute) when an element is not a number.
  static attribute_value number_set(std::vector<std::string> texts);
  static attribute_value binary_set(std::vector<bytes> values);

  attribute_type type() const noexcept { return static_cast<attribute_type>(value_.index()); }
  bool is_null() const noexcept { return type() == attribute_type::null; }

  // Accessors throw system_error(errc::attribute_type_mismatch) naming both types when the
  // value holds another type.
  const std::string& as_string() const;
  /// The S value's text, to move from.
  std::string& as_string();
  /// The number's decimal text as DynamoDB sent it or as it was given.
  const std::string& as_number_text() const;
  /// The number as an integer; throws errc::invalid_attribute when it is not an integer or
  /// does not fit.
  std::int64_t as_int64() const;
  std::uint64_t as_uint64() const;
  const bytes& as_binary() const;
  /// The bytes of a B value as characters (no copy).
  std::string_view as_binary_view() const;
  bool as_bool() const;
  const attribute_map& as_map() const;
  attribute_map& as_map();
  const attribute_list& as_list() const;
  attribute_list& as_list();
  const std::vector<std::string>& as_string_set() const;
  /// The texts of an NS value.
  const std::vector<std::string>& as_number_set() const;
  const std::vector<bytes>& as_binary_set() const;

  friend bool operator==(const attribute_value&, const attribute_value&);

 private:
  struct null_value {
    friend bool operator==(null_value, null_value) = default;
  };
  struct number_value {
    std::string text;
    friend bool operator==(const number_value&, const number_value&) = default;
  };
  struct string_set_value {
    std::vector<std::string> values;
    friend bool operator==(const string_set_value&, const string_set_value&) = default;
  };
  struct number_set_value {
    std::vector<std::string> texts;
    friend bool operator==(const number_set_value&, const number_set_value&) = default;
  };
  struct binary_set_value {
    std::vector<bytes> values;
    friend bool operator==(const binary_set_value&, const binary_set_value&) = default;
  };
  // Alternatives in attribute_type order.
  using storage =
      std::variant<std::string, number_value, bytes, bool, null_value, attribute_map,
                   attribute_list, string_set_value, number_set_value, binary_set_value>;

  template <class T>
  explicit attribute_value(T value) : value_(std::move(value)) {}
  template <class T>
  const T& get(attribute_type expected) const;

  storage value_{null_value{}};
};

// --- Wire form: {"S":"x"}, {"N":"1"}, {"B":"<base64>"}, {"M":{"a":{...}}}, ...
// Parsing throws system_error(errc::invalid_attribute) with a message naming the path of the
// offending value (e.g. `Item.payload.M.kind: expected a JSON string for S`).

boost::json::value to_json(const attribute_value& value);
/// An item or M value as a JSON object of wire-form attribute values.
boost::json::object to_json(const item& attributes);
/// Parses a wire-form attribute value; `path` names it in errors.
attribute_value attribute_value_from_json(const boost::json::value& json,
                                          std::string_view path = "value");
/// Parses a JSON object of wire-form attribute values.
item item_from_json(const boost::json::value& json, std::string_view path = "item");

// --- Document form: plain JSON (strings -> S, numbers -> N, booleans -> BOOL, null -> NULL,
// objects -> M, arrays -> L). Going back: N -> JSON number, B -> base64 string, sets -> arrays.

/// Integers become N exactly; a double becomes its shortest round-trip decimal text.
attribute_value from_document(const boost::json::value& document);
/// Throws errc::invalid_attribute when `document` is not an object.
item item_from_document(const boost::json::value& document);
/// Parses JSON text; every number keeps its source text exactly (no precision lost).
/// Throws errc::invalid_attribute on invalid JSON.
attribute_value from_document_text(std::string_view json_text);
/// As from_document_text, for a JSON object.
item item_from_document_text(std::string_view json_text);

/// N becomes an int64 or uint64 when it is an integer that fits, otherwise a double (which may
/// round: use to_document_text for exact output).
boost::json::value to_document(const attribute_value& value);
boost::json::object to_document(const item& attributes);
/// Serialises as JSON text, writing every number with its exact decimal text.
std::string to_document_text(const attribute_value& value);
std::string to_document_text(const item& attributes);

// --- Base64 (RFC 4648, with padding), as the wire form uses for B and BS.
std::string base64_encode(const std::uint8_t* data, std::size_t size);
/// Throws system_error(errc::invalid_attribute) on a character outside the alphabet, bad
/// padding or a length that is not a multiple of 4.
bytes base64_decode(std::string_view text);

}  // namespace evstore::dynamodb
