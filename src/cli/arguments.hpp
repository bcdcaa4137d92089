#pragma once
// The command line of `evstore`: global options (also read from the environment), one command and
// its own options. Pure: no I/O, so it is unit-tested.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "evstore/aws/environment.hpp"
#include "evstore/aws/retry_policy.hpp"
#include "evstore/store/atomic_append.hpp"

namespace evstore::cli {

/// Bad usage: the message says what is wrong; the tool exits with status 2.
class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class command_kind {
  init,
  reset,
  append,
  replay,
  get,
  caused_by,
  stream,
  snapshot,
  migrate,
  streams,
  stats,
  subscribe,
};

/// Where the store lives; unset fields fall back to the AWS configuration chain. Empty
/// environment variables count as unset.
struct store_settings {
  std::optional<std::string> region;
  std::optional<std::string> dynamodb_endpoint;
  std::optional<std::string> s3_endpoint;
  std::string table_prefix;
  std::string bucket;
  /// Canned ACL of offloaded objects; unset: the library's default ("private"); "": none.
  std::optional<std::string> s3_acl;
  /// Retries: when unset, aws::config's (AWS_RETRY_MODE, AWS_MAX_ATTEMPTS, the profile's
  /// retry_mode and max_attempts), else the library's defaults (see repo_options).
  std::optional<aws::retry_mode> retry_mode;  ///< --retry-mode
  std::optional<unsigned> max_attempts;       ///< --max-attempts
  /// --max-time-without-progress, EVSTORE_MAX_TIME_WITHOUT_PROGRESS (0: no bound).
  std::optional<std::chrono::seconds> max_time_without_progress;
  /// --request-timeout, EVSTORE_REQUEST_TIMEOUT: one attempt's limit.
  std::optional<std::chrono::seconds> request_timeout;
};

/// `append --atomic --expect DOMAIN/IDENTIFIER=WHAT`: what a stream's version must be.
struct stream_expect {
  std::string domain;
  std::string identifier;  ///< empty: the stream of events without identifier
  stream_expectation expectation;
};

struct invocation {
  /// Set when the caller asked for help: print it on stdout and exit 0.
  std::optional<std::string> help_text;
  command_kind command = command_kind::replay;
  store_settings settings;
  bool quiet = false;    ///< no progress, no warnings
  bool verbose = false;  ///< every library log line on stderr, also when piped
  std::optional<std::uint64_t> expected_sequence;      ///< append
  bool atomic = false;                                 ///< append: one transaction
  std::vector<stream_expect> expectations;             ///< append --atomic
  std::size_t page_size = 100;                         ///< replay
  std::optional<std::chrono::year_month> first_month;  ///< replay; default: the earliest
  std::optional<std::chrono::year_month> last_month;   ///< replay; default: the latest
  std::optional<std::string> after_id;                 ///< replay: resume after this event
  std::optional<std::size_t> parallel;  ///< replay: months read at once; migrate: segments
  std::string event_id;                 ///< get, caused-by
  std::string domain;                   ///< stream, snapshot
  std::string identifier;               ///< stream, snapshot (may be empty)
  std::uint64_t after_sequence = 0;     ///< stream
  bool json = false;                    ///< stats
  bool keep_objects = false;            ///< reset

  // subscribe
  bool subscribe_from_now = false;                 ///< --from-now (default: --from-start)
  std::optional<std::string> checkpoint_file;      ///< resume from it, save to it
  std::optional<std::uint64_t> idle_exit_seconds;  ///< exit after this long idle
  std::vector<std::string> subscribe_domains;      ///< --domain (repeatable)
  std::vector<std::string> subscribe_types;        ///< --type (repeatable)
  std::optional<std::size_t> subscribe_page_size;  ///< --page-size (default: the library's)
};

/// Parses the arguments after the program name. Throws usage_error.
invocation parse_arguments(std::span<const std::string_view> args, const aws::environment& env);

/// The command's name on the command line: "caused-by" for command_kind::caused_by.
std::string_view command_name(command_kind command);

}  // namespace evstore::cli
