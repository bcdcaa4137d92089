#pragma once
// An endpoint URL split into what a connection needs.

#include <cstdint>
#include <string>
#include <string_view>

namespace evstore::http {

struct endpoint {
  bool tls = true;   ///< https (true) or http (false)
  std::string host;  ///< host name or IP literal (IPv6 without brackets)
  std::uint16_t port = 443;
  std::string base_path;  ///< path prefix of the URL without a trailing slash ("" for "/")

  /// Host header value: host, plus ":port" when not the scheme's default.
  std::string authority() const;

  /// Parses "https://host[:port][/path]" or "http://..."; throws std::invalid_argument with
  /// a message naming the URL on anything else.
  static endpoint parse(std::string_view url);
};

}  // namespace evstore::http
