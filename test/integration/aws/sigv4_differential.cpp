// Differential test: random requests signed by evstore and by the official JavaScript signer
// (@smithy/signature-v4, through test/node/sigv4_reference.js) must get the same Authorization
// header. Needs node and the project's node_modules. The credentials are random test values.
// Seeded and reproducible: EVSTORE_SIGV4_SEED overrides the seed, EVSTORE_NODE the node binary.
#include <boost/test/unit_test.hpp>

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <unistd.h>

#include "evstore/aws/sigv4.hpp"
#include "support/servers.hpp"

BOOST_AUTO_TEST_SUITE(sigv4_differential)

namespace aws = evstore::aws;
namespace http = evstore::http;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

constexpr int request_count = 1200;

struct generated_request {
  http::request req;
  bool s3 = false;
  bool unsigned_payload = false;
  std::string region;
  std::string service;
  std::string host;
  aws::credentials creds;
  std::int64_t epoch_ms = 0;
};

class request_generator {
 public:
  explicit request_generator(std::uint64_t seed) : random_(seed) {}

  generated_request next(bool s3) {
    generated_request g;
    g.s3 = s3;
    g.unsigned_payload = s3 && chance(0.25);
    g.region = pick({"us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"});
    g.service = s3 ? "s3" : pick({"dynamodb", "service", "sts", "execute-api"});
    g.host = pick({"example.amazonaws.com", "127.0.0.1:4570", "bucket.s3.eu-west-1.amazonaws.com",
                   "dynamodb.us-east-1.amazonaws.com"});
    g.creds.access_key_id = "AKID" + word("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 16);
    g.creds.secret_access_key =
        word("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40);
    if (chance(0.3)) g.creds.session_token = word("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij+/=", 80);
    g.epoch_ms = uniform(946684800000, 4102444799000);  // 2000 to 2099

    g.req.method = pick({"GET", "PUT", "POST", "HEAD", "DELETE", "PATCH"});
    g.req.target = path();
    if (chance(0.7)) g.req.target += "?" + query();
    const int header_count = static_cast<int>(uniform(0, 6));
    for (int i = 0; i < header_count; ++i) add_header(g.req.headers);
    const std::int64_t body_size = chance(0.3) ? 0 : uniform(0, 2000);
    for (std::int64_t i = 0; i < body_size; ++i) g.req.body += static_cast<char>(uniform(0, 255));
    return g;
  }

 private:
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }
  std::int64_t uniform(std::int64_t low, std::int64_t high) {
    return std::uniform_int_distribution<std::int64_t>(low, high)(random_);
  }
  std::string pick(std::initializer_list<const char*> options) {
    return *(options.begin() + uniform(0, static_cast<std::int64_t>(options.size()) - 1));
  }
  std::string word(std::string_view alphabet, int size) {
    std::string out;
    for (int i = 0; i < size; ++i) out += alphabet[uniform(0, alphabet.size() - 1)];
    return out;
  }

  /// A character that is not plain ASCII-unreserved: reserved ASCII or UTF-8 of 2 to 4 bytes.
  std::string special_char(std::string_view reserved) {
    if (chance(0.5)) return std::string(1, reserved[uniform(0, reserved.size() - 1)]);
    return pick({"\xC3\xA9", "\xC3\xBC", "\xE2\x82\xAC", "\xE1\x88\xB4", "\xE4\xB8\xAD",
                 "\xF0\x9D\x84\x9E"});
  }

  /// Percent-encodes every byte of `text`, hex digits in random case.
  std::string percent_encoded(std::string_view text) {
    static constexpr char upper[] = "0123456789ABCDEF";
    static constexpr char lower[] = "0123456789abcdef";
    std::string out;
    for (char c : text) {
      const auto b = static_cast<unsigned char>(c);
      const char* digits = chance(0.5) ? upper : lower;
      out += '%';
      out += digits[b >> 4];
      out += digits[b & 0x0f];
    }
    return out;
  }

  /// Text for a path segment or query part: unreserved runs, raw reserved or UTF-8 characters,
  /// and percent-encoded ones (including encoded unreserved ones).
  std::string text(std::string_view raw_reserved, int max_pieces) {
    std::string out;
    const int pieces = static_cast<int>(uniform(0, max_pieces));
    for (int i = 0; i < pieces; ++i) {
      switch (uniform(0, 3)) {
        case 0:
          out += word("abcXYZ019-._~", static_cast<int>(uniform(1, 6)));
          break;
        case 1:
          out += special_char(raw_reserved);
          break;
        case 2:
          out += percent_encoded(special_char(std::string(raw_reserved) + "%&=?#/ "));
          break;
        default:
          out += percent_encoded(word("aZ5-~", 1));
          break;
      }
    }
    return out;
  }

  std::string path() {
    std::string out;
    const int segments = static_cast<int>(uniform(0, 5));
    for (int i = 0; i < segments; ++i) {
      out += '/';
      const auto kind = uniform(0, 9);
      if (kind == 0) {
        out += '.';
      } else if (kind == 1) {
        out += "..";
      } else if (kind != 2) {  // 2: an empty segment
        out += text("!$&'()*+,;=:@ ", 5);
      }
    }
    if (out.empty() || chance(0.3)) out += '/';
    return out;
  }

  std::string query() {
    std::string out;
    const int params = static_cast<int>(uniform(1, 5));
    std::vector<std::string> names;
    for (int i = 0; i < params; ++i) {
      if (i != 0) out += chance(0.1) ? "&&" : "&";
      const bool repeat = !names.empty() && chance(0.3);
      const std::string name =
          repeat ? names[uniform(0, names.size() - 1)] : text("!$'()*+,;:@/?", 3);
      names.push_back(name);
      out += name;
      if (chance(0.15)) continue;  // no '='
      out += '=';
      out += text("!$'()*+,;:@/?=", 4);
    }
    return out;
  }

  void add_header(http::header_list& headers) {
    static constexpr const char* names[] = {"X-Custom-Header",
                                            "x-custom-header",
                                            "X-CUSTOM-HEADER",
                                            "Content-Type",
                                            "X-Amz-Meta-Author",
                                            "x-amz-meta-author",
                                            "X-Amz-Target",
                                            "Accept",
                                            "Range",
                                            "If-Match",
                                            "Content-Encoding",
                                            "My-Header1",
                                            "User-Agent",
                                            "Expect",
                                            "X-Amzn-Trace-Id",
                                            "Proxy-Thing",
                                            "Sec-Fetch-Mode",
                                            "Cache-Control",
                                            "Connection"};
    std::string value;
    const int size = static_cast<int>(uniform(0, 30));
    for (int i = 0; i < size; ++i) {
      const auto kind = uniform(0, 9);
      value += kind == 0 ? ' ' : kind == 1 ? '\t' : static_cast<char>(uniform(0x21, 0x7e));
    }
    headers.push_back({names[uniform(0, std::size(names) - 1)], std::move(value)});
  }

  std::mt19937_64 random_;
};

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out += digits[static_cast<unsigned char>(c) >> 4];
    out += digits[static_cast<unsigned char>(c) & 0x0f];
  }
  return out;
}

json::object to_json(const generated_request& g) {
  const std::size_t query_start = g.req.target.find('?');
  json::array headers;
  for (const http::header& h : g.req.headers) headers.push_back(json::array{h.name, h.value});
  return {{"method", g.req.method},
          {"path", g.req.target.substr(0, query_start)},
          {"query", query_start == std::string::npos ? "" : g.req.target.substr(query_start + 1)},
          {"headers", std::move(headers)},
          {"bodyHex", to_hex(g.req.body)},
          {"s3", g.s3},
          {"unsignedPayload", g.unsigned_payload},
          {"region", g.region},
          {"service", g.service},
          {"host", g.host},
          {"accessKeyId", g.creds.access_key_id},
          {"secretAccessKey", g.creds.secret_access_key},
          {"sessionToken", g.creds.session_token},
          {"epochMs", g.epoch_ms}};
}

std::string read_all(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t seed() {
  const char* text = std::getenv("EVSTORE_SIGV4_SEED");
  return text && *text ? std::stoull(text) : 20150830;
}

}  // namespace

BOOST_AUTO_TEST_CASE(evstore_and_smithy_sign_random_requests_alike) {
  const std::uint64_t used_seed = seed();
  BOOST_TEST_MESSAGE("seed " << used_seed << " (set EVSTORE_SIGV4_SEED to repeat another)");
  request_generator generator(used_seed);

  // One signer a configuration, reused across requests: their days and secrets vary, so the
  // signing-key cache is exercised too.
  std::map<std::tuple<std::string, std::string, bool, bool>, aws::sigv4_signer> signers;
  std::vector<generated_request> requests;
  std::vector<std::string> authorizations;
  json::array input;
  for (int i = 0; i < request_count; ++i) {
    generated_request g = generator.next(/*s3=*/i % 2 == 1);
    input.push_back(to_json(g));
    const auto key = std::tuple(g.region, g.service, g.s3, g.unsigned_payload);
    auto it = signers.find(key);
    if (it == signers.end()) {
      it =
          signers
              .emplace(key, aws::sigv4_signer(g.region, g.service,
                                              {.s3 = g.s3, .unsigned_payload = g.unsigned_payload}))
              .first;
    }
    http::request signed_req = g.req;
    it->second.sign(signed_req, g.host, g.creds,
                    std::chrono::system_clock::time_point(std::chrono::milliseconds(g.epoch_ms)));
    authorizations.emplace_back(http::find_header(signed_req.headers, "authorization"));
    requests.push_back(std::move(g));
  }

  const fs::path dir =
      fs::temp_directory_path() / ("evstore-sigv4-differential-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  // Removed however the test ends.
  const std::unique_ptr<const fs::path, void (*)(const fs::path*)> cleanup(
      &dir, [](const fs::path* p) { fs::remove_all(*p); });
  const fs::path in_file = dir / "requests.json";
  const fs::path out_file = dir / "authorizations.json";
  std::ofstream(in_file, std::ios::binary) << json::serialize(input);

  const std::string node = evstore::test::env_or("EVSTORE_NODE", "node");
  const std::string command = "'" + node +
                              "' '" EVSTORE_SOURCE_DIR "/test/node/sigv4_reference.js' '" +
                              evstore::test::node_modules_dir() + "' '" + in_file.string() + "' '" +
                              out_file.string() + "'";
  const int status = std::system(command.c_str());
  BOOST_TEST_REQUIRE(status == 0, "the reference signer failed: " << command);
  const json::array reference = json::parse(read_all(out_file)).as_array();

  BOOST_TEST_REQUIRE(reference.size() == requests.size());
  int differences = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    BOOST_TEST_REQUIRE(authorizations[i].starts_with("AWS4-HMAC-SHA256 Credential="));
    if (reference[i].as_string() == authorizations[i]) continue;
    // Only random test credentials are involved, so the request may be printed whole.
    if (++differences <= 5) {
      BOOST_ERROR("request " << i << " differs\n  request: " << json::serialize(input[i])
                             << "\n  evstore: " << authorizations[i]
                             << "\n  smithy:  " << reference[i].as_string().c_str());
    }
  }
  BOOST_TEST(differences == 0, differences << " of " << requests.size() << " requests differ");
}

BOOST_AUTO_TEST_SUITE_END()
