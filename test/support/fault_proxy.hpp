#pragma once
// A fault-injecting HTTP/1.1 proxy for tests: listens on 127.0.0.1 (ephemeral port), forwards
// to one loopback server (DynamoDB Local, fauxqs), and for a seeded random share of requests
// answers with a fault instead of (or after) forwarding: AWS throttling and server errors,
// connection resets before or in the middle of a response, truncated bodies, stalls, bodies that
// fail their x-amz-crc32, BatchGetItem items moved to UnprocessedKeys, TransactWriteItems whose
// response is dropped after the server applied them. It counts every fault it carried out, so
// a test can check the faults really happened.
//
//   test::fault_proxy proxy{{.upstream_url = dynamodb_url(), .fault_share = 0.2, .seed = 7}};
//   config.service_endpoint_urls["dynamodb"] = proxy.url();
//   ... run the client ...
//   BOOST_TEST(proxy.count(test::fault_kind::stall) > 0);
//
// Runs its own io_context on its own thread; bounded: connections, body sizes, upstream and
// stall times are capped by the options.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::test {

enum class fault_kind : std::size_t {
  /// 400 ThrottlingException (DynamoDB JSON error, x-amzn-ErrorType) or 503 SlowDown (S3 XML).
  throttling,
  /// 400 ProvisionedThroughputExceededException (DynamoDB only).
  throughput_exceeded,
  /// 500 InternalServerError / InternalError; not forwarded.
  internal_error,
  /// 503 ServiceUnavailable; not forwarded.
  service_unavailable,
  /// The request is read, then the connection reset; nothing reaches the server.
  reset_before_response,
  /// Forwarded; part of the server's response is written, then the connection reset.
  reset_mid_response,
  /// Forwarded; the response claims its whole Content-Length but the body stops halfway and
  /// the connection is closed.
  truncated_body,
  /// Forwarded; no response byte until stall_time has passed, then the connection is closed.
  stall,
  /// Forwarded; one byte of the body changed while x-amz-crc32 is kept (DynamoDB only).
  corrupt_crc32,
  /// Forwarded BatchGetItem; about half the items it returned are moved to UnprocessedKeys,
  /// body and x-amz-crc32 rewritten (DynamoDB only).
  unprocessed_keys,
  /// Forwarded TransactWriteItems (the server applies it); its response is never sent and the
  /// connection is reset (DynamoDB only).
  dropped_transaction,
  /// TransactWriteItems held for stall_time, then forwarded (the server applies it after the
  /// client gave up on it, maybe after a later attempt or a resend); its response is never sent
  /// and the connection is reset (DynamoDB only).
  delayed_transaction,
};
inline constexpr std::size_t fault_kind_count = 12;

std::string_view to_string(fault_kind kind) noexcept;

/// Every kind, in declaration order.
std::vector<fault_kind> all_fault_kinds();

enum class proxied_service { dynamodb, s3 };

struct fault_proxy_options {
  /// Where requests go: "http://127.0.0.1:<port>" (loopback only; anything else is refused).
  std::string upstream_url;
  /// Shapes the error responses (DynamoDB JSON or S3 XML) and which kinds apply.
  proxied_service service = proxied_service::dynamodb;
  /// Share of requests given a fault, 0 to 1.
  double fault_share = 0.2;
  /// Kinds to choose from among those that apply to a request; empty: all kinds. A faulted
  /// BatchGetItem gets unprocessed_keys, a faulted TransactWriteItems dropped_transaction, half
  /// the time; otherwise the kind is drawn uniformly.
  std::vector<fault_kind> kinds{};
  std::uint64_t seed = 1;
  /// How long a stalled request is held: set it above the client's request timeout.
  std::chrono::milliseconds stall_time{2'000};
  /// Connecting to and hearing back from the upstream server; also bounds writes to clients.
  std::chrono::milliseconds upstream_timeout{30'000};
  /// A downstream connection idle this long is closed.
  std::chrono::milliseconds idle_timeout{60'000};
  /// Downstream connections at once; more are refused (closed at accept).
  std::size_t max_connections = 256;
  /// Largest request or response body relayed.
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

/// What the proxy saw and did so far.
struct fault_counts {
  std::size_t requests = 0;           ///< complete requests read from clients
  std::size_t forwarded = 0;          ///< requests sent to the upstream server
  std::size_t upstream_failures = 0;  ///< upstream unreachable or slow: answered 502
  std::array<std::size_t, fault_kind_count> by_kind{};

  std::size_t of(fault_kind kind) const noexcept { return by_kind[static_cast<std::size_t>(kind)]; }
  std::size_t faults() const noexcept;
  /// "requests 120, forwarded 110, faults 24 (throttling 3, stall 2, ...)".
  std::string summary() const;
};

/// A multipart upload the upstream server holds open.
struct open_multipart_upload {
  std::string path;  ///< request path of the object: "/<bucket>/<key>"
  std::string upload_id;
  /// False when the proxy faulted the CreateMultipartUpload response, so the client never
  /// learnt the id: only a bucket lifecycle rule can clean such an upload up.
  bool id_reached_client = true;
};

/// A test's fault seed: EVSTORE_TEST_FAULT_SEED to reproduce a run, else `fallback`.
inline std::uint64_t fault_seed(std::uint64_t fallback) {
  const char* text = std::getenv("EVSTORE_TEST_FAULT_SEED");
  return text && *text ? std::strtoull(text, nullptr, 10) : fallback;
}

class fault_proxy {
 public:
  /// Starts listening at once. Throws std::invalid_argument for a non-loopback or malformed
  /// upstream URL, a share outside [0, 1], or a DynamoDB-only kind asked of an S3 proxy.
  explicit fault_proxy(fault_proxy_options options);
  /// Stops the proxy thread and drops every connection.
  ~fault_proxy();
  fault_proxy(const fault_proxy&) = delete;
  fault_proxy& operator=(const fault_proxy&) = delete;

  /// "http://127.0.0.1:<port>", for aws::config's endpoint settings.
  std::string url() const;
  std::uint16_t port() const noexcept;

  /// Changes the share of faulted requests from the next request on (0 turns faults off).
  void set_fault_share(double share);

  fault_counts counts() const;
  std::size_t count(fault_kind kind) const;

  /// S3 multipart uploads the upstream server created and has neither completed nor aborted,
  /// learnt from the server's answers (for servers that cannot list them themselves).
  std::vector<open_multipart_upload> open_multipart_uploads() const;

 private:
  class impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace evstore::test
