#include "evstore/dynamodb/attribute_value.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>

#include <boost/json/value.hpp>

#include "attribute_json.hpp"
#include "aws/base64.hpp"
#include "aws/json_scanner.hpp"
#include "evstore/dynamodb/error.hpp"
#include "json_path.hpp"
#include "json_writer.hpp"

namespace evstore::dynamodb {

using detail::json_path;

std::string_view wire_name(attribute_type type) noexcept {
  static constexpr std::array<std::string_view, 10> names{"S", "N", "B",  "BOOL", "NULL",
                                                          "M", "L", "SS", "NS",   "BS"};
  const auto i = static_cast<std::size_t>(type);
  return i < names.size() ? names[i] : std::string_view("?");
}

namespace {

// DynamoDB's number range: 38 significant digits, magnitudes from 1E-130 to
// 9.9999999999999999999999999999999999999E+125, and zero.
constexpr std::int64_t max_significant_digits = 38;
constexpr std::int64_t min_decimal_exponent = -130;
constexpr std::int64_t max_decimal_exponent = 125;
/// Exponents are read up to this magnitude (far outside the range), so the sum cannot overflow.
constexpr std::int64_t exponent_saturation = 1'000'000'000;

}  // namespace

bool is_number_text(std::string_view text) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  auto digit = [&](std::size_t at) { return at < n && text[at] >= '0' && text[at] <= '9'; };
  if (i < n && text[i] == '-') ++i;
  if (!digit(i)) return false;
  const std::size_t integer_begin = i;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  const std::size_t integer_end = i;
  std::size_t fraction_begin = i;
  std::size_t fraction_end = i;
  if (i < n && text[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    fraction_begin = i;
    while (digit(i)) ++i;
    fraction_end = i;
  }
  std::int64_t exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
    if (!digit(i)) return false;
    while (digit(i)) {
      exponent = std::min(exponent * 10 + (text[i] - '0'), exponent_saturation);
      ++i;
    }
    if (negative) exponent = -exponent;
  }
  if (i != n) return false;

  // The significant digits run from the first to the last non-zero digit of integer and
  // fraction; the value is d.ddd x 10^magnitude.
  const auto non_zero = [](char c) { return c != '0'; };
  const std::string_view integer = text.substr(integer_begin, integer_end - integer_begin);
  const std::string_view fraction = text.substr(fraction_begin, fraction_end - fraction_begin);
  const auto first_in_integer = std::find_if(integer.begin(), integer.end(), non_zero);
  const auto last_in_fraction = std::find_if(fraction.rbegin(), fraction.rend(), non_zero);
  std::int64_t magnitude = 0;
  std::int64_t significant = 0;
  if (first_in_integer != integer.end()) {
    const auto integer_digits = static_cast<std::int64_t>(integer.end() - first_in_integer);
    magnitude = exponent + integer_digits - 1;
    significant =
        last_in_fraction != fraction.rend()
            ? integer_digits + static_cast<std::int64_t>(fraction.rend() - last_in_fraction)
            : integer_digits -
                  static_cast<std::int64_t>(
                      std::find_if(integer.rbegin(), integer.rend(), non_zero) - integer.rbegin());
  } else if (last_in_fraction != fraction.rend()) {
    const auto first_in_fraction = std::find_if(fraction.begin(), fraction.end(), non_zero);
    magnitude = exponent - static_cast<std::int64_t>(first_in_fraction - fraction.begin()) - 1;
    significant = static_cast<std::int64_t>(fraction.rend() - last_in_fraction) -
                  static_cast<std::int64_t>(first_in_fraction - fraction.begin());
  } else {
    magnitude = exponent;  // zero: its written exponent is held to the same range
  }
  return significant <= max_significant_digits && magnitude >= min_decimal_exponent &&
         magnitude <= max_decimal_exponent;
}

namespace {

[[noreturn]] void invalid(std::string what) {
  throw boost::system::system_error(make_error_code(errc::invalid_attribute), what);
}

void check_number(std::string_view text) {
  if (!is_number_text(text)) {
    std::string what = "not a DynamoDB number: \"";
    // A bounded excerpt: the text may be large or binary.
    what.append(text.substr(0, 64));
    what += text.size() > 64 ? "...\"" : "\"";
    invalid(std::move(what));
  }
}

bool is_integer_text(std::string_view text) noexcept {
  return text.find_first_of(".eE") == std::string_view::npos;
}

}  // namespace

// --- construction and access

attribute_value attribute_value::string(std::string value) {
  return attribute_value{std::move(value)};
}

attribute_value attribute_value::number(std::string_view text) {
  check_number(text);
  return attribute_value{number_value{std::string(text)}};
}

attribute_value attribute_value::binary(bytes value) {
  return attribute_value{std::move(value)};
}

attribute_value attribute_value::binary(std::string_view raw_bytes) {
  return attribute_value{bytes(raw_bytes.begin(), raw_bytes.end())};
}

attribute_value attribute_value::boolean(bool value) {
  return attribute_value{value};
}

attribute_value attribute_value::map(attribute_map value) {
  return attribute_value{std::move(value)};
}

attribute_value attribute_value::list(attribute_list value) {
  return attribute_value{std::move(value)};
}

attribute_value attribute_value::string_set(std::vector<std::string> values) {
  return attribute_value{string_set_value{std::move(values)}};
}

attribute_value attribute_value::number_set(std::vector<std::string> texts) {
  for (const auto& t : texts) check_number(t);
  return attribute_value{number_set_value{std::move(texts)}};
}

attribute_value attribute_value::binary_set(std::vector<bytes> values) {
  return attribute_value{binary_set_value{std::move(values)}};
}

template <class T>
const T& attribute_value::get(attribute_type expected) const {
  if (const T* v = std::get_if<T>(&value_)) return *v;
  std::string what = "attribute holds ";
  what += wire_name(type());
  what += ", read as ";
  what += wire_name(expected);
  throw boost::system::system_error(make_error_code(errc::attribute_type_mismatch), what);
}

const std::string& attribute_value::as_string() const {
  return get<std::string>(attribute_type::s);
}
std::string& attribute_value::as_string() {
  return const_cast<std::string&>(std::as_const(*this).as_string());
}
const std::string& attribute_value::as_number_text() const {
  return get<number_value>(attribute_type::n).text;
}

namespace {
template <class Int>
Int parse_integer(const std::string& text) {
  Int out{};
  if (is_integer_text(text)) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    if (ec == std::errc{} && end == text.data() + text.size()) return out;
  }
  invalid("number " + text.substr(0, 64) + " is not an integer in range of " +
          (std::is_signed_v<Int> ? "int64" : "uint64"));
}
}  // namespace

std::int64_t attribute_value::as_int64() const {
  return parse_integer<std::int64_t>(as_number_text());
}
std::uint64_t attribute_value::as_uint64() const {
  return parse_integer<std::uint64_t>(as_number_text());
}
const bytes& attribute_value::as_binary() const {
  return get<bytes>(attribute_type::b);
}
std::string_view attribute_value::as_binary_view() const {
  const bytes& b = as_binary();
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
bool attribute_value::as_bool() const {
  return get<bool>(attribute_type::boolean);
}
const attribute_map& attribute_value::as_map() const {
  return get<attribute_map>(attribute_type::m);
}
attribute_map& attribute_value::as_map() {
  return const_cast<attribute_map&>(std::as_const(*this).as_map());
}
const attribute_list& attribute_value::as_list() const {
  return get<attribute_list>(attribute_type::l);
}
attribute_list& attribute_value::as_list() {
  return const_cast<attribute_list&>(std::as_const(*this).as_list());
}
const std::vector<std::string>& attribute_value::as_string_set() const {
  return get<string_set_value>(attribute_type::ss).values;
}
const std::vector<std::string>& attribute_value::as_number_set() const {
  return get<number_set_value>(attribute_type::ns).texts;
}
const std::vector<bytes>& attribute_value::as_binary_set() const {
  return get<binary_set_value>(attribute_type::bs).values;
}

bool operator==(const attribute_value& a, const attribute_value& b) {
  return a.value_ == b.value_;
}

// --- base64

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
  return aws::detail::base64_encode(data, size);
}

bytes base64_decode(std::string_view text) {
  std::string why;
  std::optional<bytes> decoded = aws::detail::base64_decode(text, why);
  if (!decoded) invalid(why);
  return std::move(*decoded);
}

// --- wire form

namespace {

boost::json::string base64_json(const bytes& b) {
  return boost::json::string(base64_encode(b.data(), b.size()));
}

template <class Range, class Convert>
boost::json::array json_array(const Range& range, Convert convert) {
  boost::json::array out;
  out.reserve(range.size());
  for (const auto& e : range) out.emplace_back(convert(e));
  return out;
}

}  // namespace

boost::json::value to_json(const attribute_value& value) {
  boost::json::object out;
  const std::string_view key = wire_name(value.type());
  switch (value.type()) {
    case attribute_type::s:
      out.emplace(key, value.as_string());
      break;
    case attribute_type::n:
      out.emplace(key, value.as_number_text());
      break;
    case attribute_type::b:
      out.emplace(key, base64_json(value.as_binary()));
      break;
    case attribute_type::boolean:
      out.emplace(key, value.as_bool());
      break;
    case attribute_type::null:
      out.emplace(key, true);
      break;
    case attribute_type::m:
      out.emplace(key, to_json(value.as_map()));
      break;
    case attribute_type::l:
      out.emplace(key, json_array(value.as_list(), [](const auto& e) { return to_json(e); }));
      break;
    case attribute_type::ss:
      out.emplace(key, json_array(value.as_string_set(),
                                  [](const auto& e) { return boost::json::string(e); }));
      break;
    case attribute_type::ns:
      out.emplace(key, json_array(value.as_number_set(),
                                  [](const auto& e) { return boost::json::string(e); }));
      break;
    case attribute_type::bs:
      out.emplace(key, json_array(value.as_binary_set(), base64_json));
      break;
  }
  return out;
}

boost::json::object to_json(const item& attributes) {
  boost::json::object out;
  out.reserve(attributes.size());
  for (const auto& [name, value] : attributes) out.emplace(name, to_json(value));
  return out;
}

namespace {

[[noreturn]] void invalid_at(const json_path& path, std::string_view what) {
  detail::fail(errc::invalid_attribute, path, what);
}

std::string_view wire_string(const boost::json::value& v, const json_path& path,
                             std::string_view type) {
  if (const auto* s = v.if_string()) return *s;
  std::string what = "expected a string for ";
  what += type;
  what += ", found ";
  what += detail::describe(v.kind());
  invalid_at(path, what);
}

const boost::json::array& wire_array(const boost::json::value& v, const json_path& path,
                                     std::string_view type) {
  if (const auto* a = v.if_array()) return *a;
  std::string what = "expected an array for ";
  what += type;
  what += ", found ";
  what += detail::describe(v.kind());
  invalid_at(path, what);
}

std::string wire_number(const boost::json::value& v, const json_path& path) {
  std::string_view text = wire_string(v, path, "N");
  if (!is_number_text(text))
    invalid_at(path,
               "N is not a decimal number DynamoDB can hold (38 significant digits, magnitude "
               "1E-130 to 9.99E+125)");
  return std::string(text);
}

bytes wire_binary(const boost::json::value& v, const json_path& path) {
  std::string_view text = wire_string(v, path, "B");
  try {
    return base64_decode(text);
  } catch (const boost::system::system_error& e) {
    invalid_at(path, e.code().message() + ": " + e.what());
  }
}

item parse_wire_item(const boost::json::value& json, const json_path& path);

attribute_value parse_wire_value(const boost::json::value& json, const json_path& path) {
  const auto* object = json.if_object();
  if (object == nullptr || object->size() != 1) {
    invalid_at(path, "expected an AttributeValue: an object with exactly one type member");
  }
  const auto& [key, v] = *object->begin();
  const json_path inner = path.member(key);
  const std::string_view type = key;
  if (type.size() == 1) {
    switch (type[0]) {
      case 'S':
        return attribute_value::string(std::string(wire_string(v, inner, "S")));
      case 'N':
        return attribute_value::number(wire_number(v, inner));
      case 'B':
        return attribute_value::binary(wire_binary(v, inner));
      case 'M':
        return attribute_value::map(parse_wire_item(v, inner));
      case 'L': {
        const auto& array = wire_array(v, inner, "L");
        attribute_list list;
        list.reserve(array.size());
        for (std::size_t i = 0; i < array.size(); ++i) {
          list.push_back(parse_wire_value(array[i], inner.element(i)));
        }
        return attribute_value::list(std::move(list));
      }
      default:
        break;
    }
  } else if (type == "BOOL") {
    if (const auto* b = v.if_bool()) return attribute_value::boolean(*b);
    invalid_at(inner, "expected a boolean for BOOL");
  } else if (type == "NULL") {
    if (const auto* b = v.if_bool(); b && *b) return attribute_value::null();
    invalid_at(inner, "expected true for NULL");
  } else if (type == "SS" || type == "NS" || type == "BS") {
    const auto& array = wire_array(v, inner, type);
    if (type == "BS") {
      std::vector<bytes> values;
      values.reserve(array.size());
      for (std::size_t i = 0; i < array.size(); ++i) {
        values.push_back(wire_binary(array[i], inner.element(i)));
      }
      return attribute_value::binary_set(std::move(values));
    }
    std::vector<std::string> values;
    values.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i) {
      values.push_back(type == "NS" ? wire_number(array[i], inner.element(i))
                                    : std::string(wire_string(array[i], inner.element(i), "SS")));
    }
    return type == "NS" ? attribute_value::number_set(std::move(values))
                        : attribute_value::string_set(std::move(values));
  }
  std::string what = "unknown AttributeValue type \"";
  what.append(type.substr(0, 32));
  what += '"';
  invalid_at(path, what);
}

item parse_wire_item(const boost::json::value& json, const json_path& path) {
  const auto* object = json.if_object();
  if (object == nullptr) {
    invalid_at(path, std::string("expected an object of attributes, found ") +
                         std::string(detail::describe(json.kind())));
  }
  item out;
  for (const auto& [name, v] : *object) {
    out.emplace_hint(out.end(), std::string(name), parse_wire_value(v, path.member(name)));
  }
  return out;
}

}  // namespace

namespace detail {
attribute_value parse_value_at(const boost::json::value& json, const json_path& path) {
  return parse_wire_value(json, path);
}
item parse_item_at(const boost::json::value& json, const json_path& path) {
  return parse_wire_item(json, path);
}
}  // namespace detail

attribute_value attribute_value_from_json(const boost::json::value& json, std::string_view path) {
  return parse_wire_value(json, json_path{nullptr, path});
}

item item_from_json(const boost::json::value& json, std::string_view path) {
  return parse_wire_item(json, json_path{nullptr, path});
}

// --- document form

namespace {

std::string double_text(double d) {
  if (!std::isfinite(d)) invalid("a document number is not finite");
  std::array<char, 32> buffer{};
  auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), d);
  return std::string(buffer.data(), end);
}

}  // namespace

attribute_value from_document(const boost::json::value& document) {
  switch (document.kind()) {
    case boost::json::kind::null:
      return attribute_value::null();
    case boost::json::kind::bool_:
      return attribute_value::boolean(document.get_bool());
    case boost::json::kind::int64:
      return attribute_value::number(document.get_int64());
    case boost::json::kind::uint64:
      return attribute_value::number(document.get_uint64());
    case boost::json::kind::double_:
      return attribute_value::number(double_text(document.get_double()));
    case boost::json::kind::string:
      return attribute_value::string(std::string(document.get_string()));
    case boost::json::kind::array: {
      attribute_list list;
      list.reserve(document.get_array().size());
      for (const auto& e : document.get_array()) list.push_back(from_document(e));
      return attribute_value::list(std::move(list));
    }
    case boost::json::kind::object:
      return attribute_value::map(item_from_document(document));
  }
  invalid("unknown JSON value kind");
}

item item_from_document(const boost::json::value& document) {
  const auto* object = document.if_object();
  if (object == nullptr) {
    invalid(std::string("an item document must be a JSON object, found ") +
            std::string(detail::describe(document.kind())));
  }
  item out;
  for (const auto& [name, v] : *object) {
    out.insert_or_assign(std::string(name), from_document(v));
  }
  return out;
}

namespace {

// Builds attribute values straight from JSON text, so that numbers keep their source text.
class document_handler {
 public:
  attribute_value result;

  void on_array_begin() { frames_.push_back({attribute_value::list({}), {}}); }
  void on_array_end(std::size_t) { close(); }
  void on_object_begin() { frames_.push_back({attribute_value::map({}), {}}); }
  void on_object_end(std::size_t) { close(); }
  void on_string(std::string_view s) { add(attribute_value::string(std::string(s))); }
  void on_key(std::string_view s) { frames_.back().key.assign(s); }
  /// The scanner has checked JSON number syntax, which is exactly is_number_text's.
  void on_number_text(std::string_view s) { add(attribute_value::number(s)); }
  void on_int64(std::int64_t) {}
  void on_uint64(std::uint64_t) {}
  void on_double(double) {}
  void on_bool(bool b) { add(attribute_value::boolean(b)); }
  void on_null() { add(attribute_value::null()); }

 private:
  struct frame {
    attribute_value container;
    std::string key;
  };

  void add(attribute_value v) {
    if (frames_.empty()) {
      result = std::move(v);
    } else if (frames_.back().container.type() == attribute_type::l) {
      frames_.back().container.as_list().push_back(std::move(v));
    } else {
      frame& f = frames_.back();
      f.container.as_map().insert_or_assign(std::move(f.key), std::move(v));
      f.key.clear();
    }
  }

  void close() {
    attribute_value done = std::move(frames_.back().container);
    frames_.pop_back();
    add(std::move(done));
  }

  std::vector<frame> frames_;
};

attribute_value parse_document_text(std::string_view json_text) {
  document_handler handler;
  try {
    // DynamoDB allows 32 levels of nesting.
    aws::detail::json_scanner<document_handler>(json_text, handler, 64).run();
  } catch (const aws::detail::json_syntax_error& error) {
    invalid("invalid JSON document at offset " + std::to_string(error.offset) + ": " +
            std::string(error.what));
  }
  return std::move(handler.result);
}

}  // namespace

attribute_value from_document_text(std::string_view json_text) {
  return parse_document_text(json_text);
}

item item_from_document_text(std::string_view json_text) {
  attribute_value v = parse_document_text(json_text);
  if (v.type() != attribute_type::m) {
    invalid(std::string("an item document must be a JSON object, found ") +
            std::string(wire_name(v.type())));
  }
  return std::move(v.as_map());
}

boost::json::value to_document(const attribute_value& value) {
  switch (value.type()) {
    case attribute_type::s:
      return boost::json::string(value.as_string());
    case attribute_type::n: {
      const std::string& text = value.as_number_text();
      if (is_integer_text(text)) {
        std::int64_t i = 0;
        auto r = std::from_chars(text.data(), text.data() + text.size(), i);
        if (r.ec == std::errc{}) return i;
        std::uint64_t u = 0;
        r = std::from_chars(text.data(), text.data() + text.size(), u);
        if (r.ec == std::errc{}) return u;
      }
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      return d;
    }
    case attribute_type::b:
      return base64_json(value.as_binary());
    case attribute_type::boolean:
      return value.as_bool();
    case attribute_type::null:
      return nullptr;
    case attribute_type::m:
      return to_document(value.as_map());
    case attribute_type::l:
      return json_array(value.as_list(), [](const auto& e) { return to_document(e); });
    case attribute_type::ss:
      return json_array(value.as_string_set(),
                        [](const auto& e) { return boost::json::string(e); });
    case attribute_type::ns:
      return json_array(value.as_number_set(), [](const std::string& e) {
        return to_document(attribute_value::number(e));
      });
    case attribute_type::bs:
      return json_array(value.as_binary_set(), base64_json);
  }
  return nullptr;
}

boost::json::object to_document(const item& attributes) {
  boost::json::object out;
  out.reserve(attributes.size());
  for (const auto& [name, value] : attributes) out.emplace(name, to_document(value));
  return out;
}

std::string to_document_text(const attribute_value& value) {
  std::string out;
  detail::append_json(out, value, detail::json_form::document);
  return out;
}

std::string to_document_text(const item& attributes) {
  std::string out;
  detail::append_json(out, attributes, detail::json_form::document);
  return out;
}

}  // namespace evstore::dynamodb
