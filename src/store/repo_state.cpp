#include "repo_state.hpp"

#include <algorithm>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "background_tasks.hpp"
#include "evstore/aws/credentials_provider.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"
#include "store/item_size.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;

/// Stream head versions remembered at most; past that the memory starts again, empty.
constexpr std::size_t max_known_heads = 10'000;
/// One request stops retrying this long after its first attempt: half DynamoDB's 10-minute
/// idempotency window of a ClientRequestToken, so a resent transaction is still recognised.
constexpr std::chrono::minutes max_request_retry_time{5};

std::string table_name_of(const repo_options& options) {
  return options.table_name_prefix + std::string(table_base_name);
}

// Each service's requests are counted in one metrics object (repo::metrics) and its retries
// and throttles logged through the repo's logger. Retry settings the options leave unset come
// from the config; TLS trusts the config's CA bundle.
aws::service_client_options service_options(const repo_options& options,
                                            const aws::config& config) {
  aws::service_client_options service;
  service.metrics = std::make_shared<aws::service_metrics>();
  service.log = options.log;
  service.http.request_timeout = options.request_timeout;
  service.http.max_connections = options.max_connections;
  service.http.ca_file = config.ca_bundle;
  service.retry.max_attempts = options.max_attempts.value_or(config.max_attempts.value_or(0));
  service.retry.max_time_without_progress = options.max_time_without_progress;
  service.retry.max_request_time = max_request_retry_time;
  service.retry.mode =
      options.retry_mode.value_or(config.retry_mode.value_or(aws::retry_mode::adaptive));
  return service;
}

dynamodb::client_options dynamodb_options() {
  dynamodb::client_options options;
  options.count_consumed_capacity = true;
  return options;
}

s3::client_options s3_options(const repo_options& repo, const aws::config& config) {
  s3::client_options options;
  options.service = service_options(repo, config);
  options.service.http.max_response_body = max_offloaded_object_bytes + 1024 * 1024;
  return options;
}

}  // namespace

repo_state::repo_state(asio::any_io_executor ex, aws::config config, repo_options opts)
    : executor(ex),
      options(std::move(opts)),
      table(table_name_of(options)),
      ddb(aws::service_client{ex, config.endpoint_for("dynamodb"), config.region, "dynamodb",
                              aws::make_default_credentials_provider(ex, config),
                              service_options(options, config)},
          dynamodb_options()),
      s3(ex, config, aws::make_default_credentials_provider(ex, config),
         s3_options(options, config)) {
  options.offload_threshold_bytes = std::min(options.offload_threshold_bytes, max_item_bytes);
}

void repo_state::log(log_level level, std::string_view message) const {
  if (options.log) options.log(level, message);
}

void repo_state::close() {
  if (closed_.exchange(true)) return;
  std::vector<std::weak_ptr<background_tasks>> tracked;
  {
    const std::lock_guard lock(tracked_mutex_);
    tracked.swap(tracked_);
  }
  for (const std::weak_ptr<background_tasks>& weak : tracked)
    if (const std::shared_ptr<background_tasks> tasks = weak.lock()) tasks->cancel();
  ddb.service().close();
  s3.close();
}

void repo_state::check_open(std::string_view operation) const {
  if (closed_) {
    throw boost::system::system_error(
        asio::error::shut_down,
        std::string(operation) + " on table '" + table + "' after repo::close(): use another repo");
  }
}

void repo_state::track(const std::shared_ptr<background_tasks>& tasks) {
  {
    const std::lock_guard lock(tracked_mutex_);
    std::erase_if(tracked_, [](const std::weak_ptr<background_tasks>& t) { return t.expired(); });
    tracked_.push_back(tasks);
  }
  // A replay started as the repo closes still ends its tasks.
  if (closed_) tasks->cancel();
}

timestamp repo_state::reserve_times() {
  const std::lock_guard lock(created_mutex_);
  last_created_ = std::max(now_ms(), last_created_);
  return last_created_;
}

asio::awaitable<void> repo_state::backoff(unsigned attempt, std::chrono::milliseconds base,
                                          std::chrono::milliseconds cap) {
  std::chrono::milliseconds delay{0};
  {
    const std::lock_guard lock(random_mutex_);
    delay = aws::full_jitter_delay(base, attempt, cap, random_);
  }
  asio::steady_timer timer{executor, delay};
  co_await timer.async_wait(asio::use_awaitable);
}

std::optional<stream_head> repo_state::known_head_version(const std::string& stream) const {
  const std::lock_guard lock(heads_mutex_);
  const auto found = known_heads_.find(stream);
  if (found == known_heads_.end()) return std::nullopt;
  return found->second;
}

void repo_state::remember_head_version(const std::string& stream, stream_head head) {
  const std::lock_guard lock(heads_mutex_);
  if (known_heads_.size() >= max_known_heads && !known_heads_.contains(stream))
    known_heads_.clear();
  known_heads_[stream] = std::move(head);
}

void repo_state::forget_head_version(const std::string& stream) {
  const std::lock_guard lock(heads_mutex_);
  known_heads_.erase(stream);
}

}  // namespace evstore
