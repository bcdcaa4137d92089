#pragma once
// What the fault tests share: a second repo on a store fixture's table and bucket whose DynamoDB
// and S3 traffic goes through fault-injecting proxies, with request timeouts shorter than the
// proxies' stalls and enough attempts to ride out a 20% fault rate.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store_fixture.hpp"
#include "support/fault_proxy.hpp"
#include "support/for_each_concurrently.hpp"

namespace evstore::test {

struct fault_settings {
  double share = 0.2;
  std::uint64_t seed = 1;
  /// One attempt's limit in the faulted repo; the proxies stall longer than this.
  std::chrono::milliseconds request_timeout{2'000};
  std::chrono::milliseconds stall_time{2'500};
  /// With 20% of attempts faulted, 8 attempts leave a request failing for good about once in
  /// 2.5 million (0.2^8); the default 3 would fail one request in 125.
  unsigned max_attempts = 8;
  /// Kinds the DynamoDB proxy draws from (empty: all).
  std::vector<fault_kind> dynamodb_kinds{};
  /// The S3 proxy's share when it differs from `share`.
  std::optional<double> s3_share{};
};

/// A repo on `fixture`'s table and bucket, reached through two fault proxies.
struct faulted_store {
  faulted_store(store_fixture& fixture, const fault_settings& settings)
      : dynamodb_proxy(proxy_options(dynamodb_url(), proxied_service::dynamodb, settings, 0)),
        s3_proxy(proxy_options(s3_url(), proxied_service::s3, settings, 1)),
        store(fixture.io.get_executor(), config(), repo_settings(fixture.options, settings)) {}

  std::string fault_summary() const {
    return "DynamoDB: " + dynamodb_proxy.counts().summary() +
           "; S3: " + s3_proxy.counts().summary();
  }

  fault_proxy dynamodb_proxy;
  fault_proxy s3_proxy;
  repo store;

 private:
  static fault_proxy_options proxy_options(std::string upstream, proxied_service service,
                                           const fault_settings& settings,
                                           std::uint64_t seed_offset) {
    fault_proxy_options options;
    options.upstream_url = std::move(upstream);
    options.service = service;
    options.fault_share = settings.share;
    if (service == proxied_service::dynamodb) options.kinds = settings.dynamodb_kinds;
    if (service == proxied_service::s3 && settings.s3_share)
      options.fault_share = *settings.s3_share;
    options.seed = settings.seed + seed_offset;
    options.stall_time = settings.stall_time;
    return options;
  }

  aws::config config() const {
    aws::config c = local_config();
    c.service_endpoint_urls["dynamodb"] = dynamodb_proxy.url();
    c.service_endpoint_urls["s3"] = s3_proxy.url();
    return c;
  }

  static repo_options repo_settings(repo_options options, const fault_settings& settings) {
    options.skip_table_creation = true;
    options.skip_bucket_creation = true;
    options.request_timeout = settings.request_timeout;
    options.max_attempts = settings.max_attempts;
    return options;
  }
};

}  // namespace evstore::test
