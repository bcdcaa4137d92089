#include "evstore/s3/key_encoding.hpp"

#include "evstore/s3/error.hpp"

namespace evstore::s3 {

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string percent_encode(std::string_view text, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xF];
    }
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string encode_key(std::string_view key) {
  return percent_encode(key, true);
}

std::string encode_query_value(std::string_view value) {
  return percent_encode(value, false);
}

std::string decode_listed_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '+') {
      out += ' ';
    } else if (value[i] == '%') {
      int high = i + 2 < value.size() ? hex_value(value[i + 1]) : -1;
      int low = high >= 0 ? hex_value(value[i + 2]) : -1;
      if (low < 0)
        throw boost::system::system_error(
            make_error_code(errc::unexpected_response),
            "S3 listed a url-encoded value with a malformed escape at byte " + std::to_string(i));
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += value[i];
    }
  }
  return out;
}

}  // namespace evstore::s3
