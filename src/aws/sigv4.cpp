#include "evstore/aws/sigv4.hpp"

#include <array>
#include <chrono>
#include <stdexcept>
#include <vector>

#include "aws/crypto.hpp"
#include "aws/sigv4_canonical.hpp"
#include "http/ascii.hpp"

namespace evstore::aws {

namespace {

constexpr std::string_view unsigned_payload = "UNSIGNED-PAYLOAD";

void put_digits(char* out, int value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

/// "YYYYMMDDTHHMMSSZ" in UTC.
std::array<char, 16> format_amz_date(std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(now);
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss time{seconds - day};
  // system_clock counts nanoseconds in 64 bits: years 1677-2262, always four digits.
  std::array<char, 16> out;
  put_digits(out.data(), static_cast<int>(date.year()), 4);
  put_digits(out.data() + 4, static_cast<int>(static_cast<unsigned>(date.month())), 2);
  put_digits(out.data() + 6, static_cast<int>(static_cast<unsigned>(date.day())), 2);
  out[8] = 'T';
  put_digits(out.data() + 9, static_cast<int>(time.hours().count()), 2);
  put_digits(out.data() + 11, static_cast<int>(time.minutes().count()), 2);
  put_digits(out.data() + 13, static_cast<int>(time.seconds().count()), 2);
  out[15] = 'Z';
  return out;
}

}  // namespace

class sigv4_signer_impl {
 public:
  sigv4_signer_impl(std::string region, std::string service, sigv4_options options)
      : region_(std::move(region)), service_(std::move(service)), options_(options) {}

  ~sigv4_signer_impl() { detail::cleanse(key_secret_.data(), key_secret_.size()); }

  sigv4_signer_impl(const sigv4_signer_impl&) = delete;
  sigv4_signer_impl& operator=(const sigv4_signer_impl&) = delete;

  void sign(http::request& req, std::string_view host, const credentials& creds,
            std::chrono::system_clock::time_point now) {
    if (creds.access_key_id.empty() || creds.secret_access_key.empty()) {
      throw std::invalid_argument(
          "SigV4: the credentials lack an access key id or a secret access key; check the "
          "credentials provider");
    }
    const std::array<char, 16> amz_date_chars = format_amz_date(now);
    const std::string_view amz_date(amz_date_chars.data(), amz_date_chars.size());

    // Drop what an earlier signature added, and see what the caller provided.
    bool has_host = false;
    bool has_content_sha256 = false;
    payload_hash_.clear();
    std::erase_if(req.headers, [&](const http::header& h) {
      if (http::iequals(h.name, "authorization") || http::iequals(h.name, "x-amz-date") ||
          http::iequals(h.name, "x-amz-security-token")) {
        return true;
      }
      if (http::iequals(h.name, "host")) {
        has_host = true;
      } else if (!has_content_sha256 && http::iequals(h.name, "x-amz-content-sha256")) {
        has_content_sha256 = true;
        payload_hash_ = h.value;
      }
      return false;
    });
    if (!has_content_sha256) {
      if (options_.s3 && options_.unsigned_payload) {
        payload_hash_ = unsigned_payload;
      } else {
        detail::append_hex(payload_hash_, sha256_.digest(req.body));
      }
    }

    req.headers.reserve(req.headers.size() + 5);
    if (!has_host) req.headers.push_back({"Host", std::string(host)});
    req.headers.push_back({"X-Amz-Date", std::string(amz_date)});
    if (!creds.session_token.empty()) {
      req.headers.push_back({"X-Amz-Security-Token", creds.session_token});
    }
    if (options_.s3 && !has_content_sha256) {
      req.headers.push_back({"X-Amz-Content-Sha256", payload_hash_});
    }

    const std::string_view canonical = canonical_.build(req, payload_hash_, options_.s3);
    refresh_signing_key(amz_date.substr(0, 8), creds.secret_access_key);
    hex_.clear();
    detail::append_hex(hex_, sha256_.digest(canonical));
    string_to_sign_.clear();
    detail::append_string_to_sign(string_to_sign_, amz_date, scope_, hex_);
    const detail::sha256_digest signature = signing_.mac(string_to_sign_);

    static constexpr std::string_view algorithm = "AWS4-HMAC-SHA256 Credential=";
    static constexpr std::string_view signed_headers_label = ", SignedHeaders=";
    static constexpr std::string_view signature_label = ", Signature=";
    const std::string_view signed_headers = canonical_.signed_headers();
    std::string authorization;
    authorization.reserve(algorithm.size() + creds.access_key_id.size() + 1 + scope_.size() +
                          signed_headers_label.size() + signed_headers.size() +
                          signature_label.size() + 2 * signature.size());
    authorization += algorithm;
    authorization += creds.access_key_id;
    authorization += '/';
    authorization += scope_;
    authorization += signed_headers_label;
    authorization += signed_headers;
    authorization += signature_label;
    detail::append_hex(authorization, signature);
    req.headers.push_back({"Authorization", std::move(authorization)});
  }

 private:
  /// The signing key depends on the day, the region, the service and the secret; it is derived
  /// again only when the day or the secret changes.
  void refresh_signing_key(std::string_view day, const std::string& secret) {
    if (day == key_day_ && secret == key_secret_) return;
    std::string key = "AWS4" + secret;
    derive_.set_key({reinterpret_cast<const unsigned char*>(key.data()), key.size()});
    detail::cleanse(key.data(), key.size());
    detail::sha256_digest derived = derive_.mac(day);
    for (const std::string_view part : {std::string_view(region_), std::string_view(service_),
                                        std::string_view("aws4_request")}) {
      derive_.set_key(derived);
      derived = derive_.mac(part);
    }
    signing_.set_key(derived);
    detail::cleanse(derived.data(), derived.size());

    detail::cleanse(key_secret_.data(), key_secret_.size());
    key_secret_ = secret;
    key_day_ = day;
    scope_.clear();
    scope_ += day;
    scope_ += '/';
    scope_ += region_;
    scope_ += '/';
    scope_ += service_;
    scope_ += "/aws4_request";
  }

  std::string region_;
  std::string service_;
  sigv4_options options_;
  detail::sha256_hasher sha256_;
  detail::hmac_sha256 derive_;
  detail::hmac_sha256 signing_;
  detail::canonical_request_builder canonical_;
  std::string key_day_;     // yyyymmdd the signing key is for; empty before the first key
  std::string key_secret_;  // the secret the signing key comes from
  std::string scope_;       // key_day_/region/service/aws4_request
  std::string payload_hash_;
  std::string hex_;
  std::string string_to_sign_;
};

sigv4_signer::sigv4_signer(std::string region, std::string service, sigv4_options options)
    : impl_(std::make_unique<sigv4_signer_impl>(std::move(region), std::move(service), options)) {}

sigv4_signer::~sigv4_signer() = default;
sigv4_signer::sigv4_signer(sigv4_signer&&) noexcept = default;
sigv4_signer& sigv4_signer::operator=(sigv4_signer&&) noexcept = default;

void sigv4_signer::sign(http::request& req, std::string_view host, const credentials& creds,
                        std::chrono::system_clock::time_point now) {
  impl_->sign(req, host, creds, now);
}

}  // namespace evstore::aws
