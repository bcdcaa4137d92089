#include "store/item_size.hpp"

#include <string_view>

namespace evstore {
namespace {

namespace ddb = dynamodb;

/// Significant digits of a number's text: leading and trailing zeros trimmed, exponent ignored.
std::size_t number_size(std::string_view text) {
  const bool negative = text.starts_with('-');
  const std::size_t exponent = text.find_first_of("eE");
  if (exponent != std::string_view::npos) text = text.substr(0, exponent);
  std::string digits;
  for (const char c : text)
    if (c >= '0' && c <= '9') digits += c;
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 1 + (negative ? 1 : 0);  // zero
  const std::size_t last = digits.find_last_not_of('0');
  const std::size_t significant = last - first + 1;
  return (significant + 1) / 2 + 1 + (negative ? 1 : 0);
}

}  // namespace

std::size_t attribute_size(const ddb::attribute_value& value) {
  switch (value.type()) {
    case ddb::attribute_type::s:
      return value.as_string().size();
    case ddb::attribute_type::n:
      return number_size(value.as_number_text());
    case ddb::attribute_type::b:
      return value.as_binary().size();
    case ddb::attribute_type::boolean:
    case ddb::attribute_type::null:
      return 1;
    case ddb::attribute_type::m: {
      std::size_t size = 3;
      for (const auto& [name, element] : value.as_map())
        size += 1 + name.size() + attribute_size(element);
      return size;
    }
    case ddb::attribute_type::l: {
      std::size_t size = 3;
      for (const auto& element : value.as_list()) size += 1 + attribute_size(element);
      return size;
    }
    case ddb::attribute_type::ss: {
      std::size_t size = 0;
      for (const auto& element : value.as_string_set()) size += element.size();
      return size;
    }
    case ddb::attribute_type::ns: {
      std::size_t size = 0;
      for (const auto& element : value.as_number_set()) size += number_size(element);
      return size;
    }
    case ddb::attribute_type::bs: {
      std::size_t size = 0;
      for (const auto& element : value.as_binary_set()) size += element.size();
      return size;
    }
  }
  return 0;
}

std::size_t item_size(const ddb::item& item) {
  std::size_t size = 0;
  for (const auto& [name, value] : item) size += name.size() + attribute_size(value);
  return size;
}

}  // namespace evstore
