#pragma once
// A throwaway certificate authority made at test time, and a server certificate it signed, for
// TLS tests against local_http_server. Nothing is read from or written to a fixed place.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "local_http_server.hpp"

namespace evstore::test {

struct test_certificates {
  std::string ca_certificate_pem;
  /// The server certificate followed by nothing else (the CA is the direct issuer).
  tls_identity server;
};

/// Makes a new CA (EC P-256) and a server certificate valid for one day, whose subject
/// alternative names are `dns_names` and `ip_addresses` (e.g. {"localhost"}, {"127.0.0.1"}).
/// Throws std::runtime_error naming the OpenSSL call that failed.
test_certificates make_test_certificates(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses);

/// A file in the system temporary directory with given contents, removed on destruction.
class temp_file {
 public:
  explicit temp_file(std::string_view contents, std::string_view suffix = ".pem");
  ~temp_file();
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace evstore::test
