#include "test_ca.hpp"

#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

namespace evstore::test {

namespace {

struct openssl_free {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
  void operator()(X509* p) const noexcept { X509_free(p); }
  void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
  void operator()(BIO* p) const noexcept { BIO_free(p); }
};
template <class T>
using openssl_ptr = std::unique_ptr<T, openssl_free>;

void check(bool ok, const char* call) {
  if (!ok) throw std::runtime_error(std::string("test CA: OpenSSL call failed: ") + call);
}

openssl_ptr<EVP_PKEY> make_key() {
  openssl_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "EVP_EC_gen");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  openssl_ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  check(ext != nullptr, "X509V3_EXT_conf_nid");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "X509_add_ext");
}

// A certificate for `key` named `common_name`, signed by `issuer_key`: a CA certificate when
// `issuer` is null (self-signed), else a server certificate for `alt_names`.
openssl_ptr<X509> make_certificate(EVP_PKEY* key, const std::string& common_name, X509* issuer,
                                   EVP_PKEY* issuer_key, const std::string& alt_names = {}) {
  openssl_ptr<X509> cert(X509_new());
  check(cert != nullptr, "X509_new");
  check(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* serial_number = BN_bin2bn(serial, sizeof serial, nullptr);
  check(serial_number != nullptr, "BN_bin2bn");
  const bool serial_set = BN_to_ASN1_INTEGER(serial_number, X509_get_serialNumber(cert.get()));
  BN_free(serial_number);
  check(serial_set, "BN_to_ASN1_INTEGER");
  check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "X509_gmtime_adj");
  check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "X509_gmtime_adj");
  check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
  X509* signer = issuer ? issuer : cert.get();
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) == 1,
        "X509_set_issuer_name");
  add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  if (issuer == nullptr) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
    add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
    add_extension(cert.get(), signer, NID_subject_alt_name, alt_names);
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "X509_sign");
  return cert;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::string to_pem(X509* cert) {
  openssl_ptr<BIO> bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return bio_text(bio.get());
}

std::string to_pem(EVP_PKEY* key) {
  openssl_ptr<BIO> bio(BIO_new(BIO_s_mem()));
  check(bio && PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  return bio_text(bio.get());
}

}  // namespace

test_certificates make_test_certificates(const std::vector<std::string>& dns_names,
                                         const std::vector<std::string>& ip_addresses) {
  const auto ca_key = make_key();
  const auto ca = make_certificate(ca_key.get(), "evstore test CA", nullptr, ca_key.get());

  std::string alt_names;
  for (const std::string& dns : dns_names)
    alt_names += (alt_names.empty() ? "DNS:" : ",DNS:") + dns;
  for (const std::string& ip : ip_addresses) alt_names += (alt_names.empty() ? "IP:" : ",IP:") + ip;
  if (alt_names.empty()) throw std::invalid_argument("test CA: a server needs at least one name");

  const auto server_key = make_key();
  const std::string common_name = dns_names.empty() ? ip_addresses.front() : dns_names.front();
  const auto server =
      make_certificate(server_key.get(), common_name, ca.get(), ca_key.get(), alt_names);

  return {to_pem(ca.get()), {to_pem(server.get()), to_pem(server_key.get())}};
}

temp_file::temp_file(std::string_view contents, std::string_view suffix) {
  static std::atomic<unsigned> counter{0};
  path_ =
      std::filesystem::temp_directory_path() / ("evstore-test-" + std::to_string(::getpid()) + "-" +
                                                std::to_string(++counter) + std::string(suffix));
  std::ofstream out(path_, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out.flush()) throw std::runtime_error("cannot write temporary file " + path_.string());
}

temp_file::~temp_file() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace evstore::test
