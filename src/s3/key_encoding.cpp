#include "s3/key_encoding.hpp"

#include "evstore/s3/error.hpp"
#include "http/percent_encoding.hpp"

namespace evstore::s3 {

std::string encode_key(std::string_view key) {
  std::string out;
  http::append_percent_encoded(out, key, true);
  return out;
}

std::string encode_query_value(std::string_view value) {
  std::string out;
  http::append_percent_encoded(out, value);
  return out;
}

std::string decode_listed_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '+') {
      out += ' ';
    } else if (value[i] == '%') {
      int high = i + 2 < value.size() ? http::hex_digit_value(value[i + 1]) : -1;
      int low = high >= 0 ? http::hex_digit_value(value[i + 2]) : -1;
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
