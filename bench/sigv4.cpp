// Time to sign a typical DynamoDB request, beside the floor: the hashing any SigV4 signer must
// do for it with a cached signing key (SHA-256 of the body, SHA-256 of a canonical request of
// the same length, one HMAC of the string to sign), on reused OpenSSL contexts and one-shot.
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

#include "aws/sigv4_canonical.hpp"
#include "evstore/aws/sigv4.hpp"

namespace {

constexpr int iterations = 2000;
constexpr int runs = 30;

volatile unsigned char sink;

/// CPU time of this thread: on a machine shared with other work, wall-clock time would count
/// the time slices the thread waits for.
double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// Nanoseconds a call of `iterations` calls.
template <typename F>
double time_ns(F&& f) {
  const double start = thread_cpu_ns();
  for (int i = 0; i < iterations; ++i) f(i);
  return (thread_cpu_ns() - start) / iterations;
}

evstore::http::request dynamodb_query() {
  std::string body =
      R"({"TableName":"prod-events","IndexName":"bucket-index","KeyConditionExpression":)"
      R"("#b = :b AND #t > :t","ExpressionAttributeNames":{"#b":"bucket","#t":"time"},)"
      R"("ExpressionAttributeValues":{":b":{"S":"2024-03-01T10"},":t":{"N":"1709287200000"}},)"
      R"("Limit":100,"ConsistentRead":false,"ScanIndexForward":true,"ReturnConsumedCapacity":"NONE"})";
  return {
      "POST",
      "/",
      {{"Content-Type", "application/x-amz-json-1.0"}, {"X-Amz-Target", "DynamoDB_20120810.Query"}},
      std::move(body)};
}

}  // namespace

int main() {
  namespace aws = evstore::aws;
  const aws::credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "",
                               std::nullopt};
  const std::string host = "dynamodb.us-east-1.amazonaws.com";
  const auto now = std::chrono::system_clock::now();

  // The signer signs the same request again and again: each signature replaces the last one's
  // headers, like a retry, so no request copy is timed.
  aws::sigv4_signer signer("us-east-1", "dynamodb");
  evstore::http::request req = dynamodb_query();
  const auto sign_once = [&](int i) {
    signer.sign(req, host, creds, now + std::chrono::milliseconds(i));
    sink = static_cast<unsigned char>(req.headers.back().value.back());
  };
  sign_once(0);

  // What the crypto floor hashes: the body, a canonical request as long as the real one, and a
  // string to sign as long as the real one.
  aws::detail::canonical_request_builder builder;
  const std::string canonical(builder.build(
      req, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", false));
  const std::string string_to_sign(std::string("AWS4-HMAC-SHA256\n20240301T100000Z\n") +
                                   "20240301/us-east-1/dynamodb/aws4_request\n" +
                                   std::string(64, 'a'));
  const unsigned char key[32] = {1, 2, 3};

  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* md_ctx = EVP_MD_CTX_new();
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* mac_ctx = EVP_MAC_CTX_new(mac);
  char digest_name[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  if (md == nullptr || md_ctx == nullptr || mac_ctx == nullptr ||
      EVP_MAC_init(mac_ctx, key, sizeof key, params) != 1) {
    std::fprintf(stderr, "OpenSSL setup failed\n");
    return 1;
  }
  const auto hash = [&](const std::string& data, unsigned char* out) {
    EVP_DigestInit_ex2(md_ctx, md, nullptr);
    EVP_DigestUpdate(md_ctx, data.data(), data.size());
    EVP_DigestFinal_ex(md_ctx, out, nullptr);
  };
  const auto floor_once = [&](int) {
    unsigned char out[32];
    hash(req.body, out);
    hash(canonical, out);
    std::size_t size = 0;
    EVP_MAC_init(mac_ctx, nullptr, 0, nullptr);
    EVP_MAC_update(mac_ctx, reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                   string_to_sign.size());
    EVP_MAC_final(mac_ctx, out, &size, sizeof out);
    sink = out[0];
  };

  const auto one_shot_once = [&](int) {
    unsigned char out[32];
    SHA256(reinterpret_cast<const unsigned char*>(req.body.data()), req.body.size(), out);
    SHA256(reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size(), out);
    unsigned int size = 0;
    HMAC(EVP_sha256(), key, sizeof key,
         reinterpret_cast<const unsigned char*>(string_to_sign.data()), string_to_sign.size(), out,
         &size);
    sink = out[0];
  };

  // Interleaved runs, so that all three meet the same load on a machine shared with other work.
  double signer_ns = 1e300;
  double floor_ns = 1e300;
  double one_shot_ns = 1e300;
  for (int run = 0; run < runs; ++run) {
    signer_ns = std::min(signer_ns, time_ns(sign_once));
    floor_ns = std::min(floor_ns, time_ns(floor_once));
    one_shot_ns = std::min(one_shot_ns, time_ns(one_shot_once));
  }

  EVP_MAC_CTX_free(mac_ctx);
  EVP_MAC_free(mac);
  EVP_MD_CTX_free(md_ctx);
  EVP_MD_free(md);

  std::printf(
      "request: POST / DynamoDB_20120810.Query, body %zu bytes, canonical request %zu bytes\n",
      req.body.size(), canonical.size());
  std::printf("thread CPU time, best of %d runs of %d iterations\n", runs, iterations);
  std::printf("sigv4_signer::sign: %.0f ns/signature\n", signer_ns);
  std::printf("floor (same SHA-256 + HMAC work, reused OpenSSL contexts): %.0f ns\n", floor_ns);
  std::printf("floor one-shot (SHA256() x2 + HMAC()): %.0f ns\n", one_shot_ns);
  std::printf("ratio signer/floor: %.2f\n", signer_ns / floor_ns);
  return 0;
}
