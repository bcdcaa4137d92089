#include "arguments.hpp"

#include <charconv>
#include <exception>
#include <vector>

#include "evstore/store/time.hpp"
#include "help.hpp"

namespace evstore::cli {
namespace {

constexpr std::size_t max_page_size = 10'000;
/// Months read at once by replay, Scan segments by migrate.
constexpr std::size_t max_parallel = 64;
/// The largest sequence a stream can reach: DynamoDB numbers round-trip through JavaScript.
constexpr std::uint64_t max_sequence = std::uint64_t{1} << 53;
/// Attempts of one request at most (0: no count); the time without progress bound, a day.
constexpr std::uint64_t max_attempts_limit = 1'000;
constexpr std::uint64_t max_retry_seconds = 86'400;

struct named_command {
  std::string_view name;
  command_kind kind;
};
constexpr named_command command_names[] = {
    {"init", command_kind::init},       {"reset", command_kind::reset},
    {"append", command_kind::append},   {"replay", command_kind::replay},
    {"get", command_kind::get},         {"caused-by", command_kind::caused_by},
    {"stream", command_kind::stream},   {"snapshot", command_kind::snapshot},
    {"migrate", command_kind::migrate}, {"streams", command_kind::streams},
    {"stats", command_kind::stats},     {"subscribe", command_kind::subscribe},
};

std::optional<command_kind> find_command(std::string_view name) {
  for (const auto& entry : command_names) {
    if (entry.name == name) return entry.kind;
  }
  return std::nullopt;
}

std::uint64_t parse_count(std::string_view option, std::string_view text, std::uint64_t min,
                          std::uint64_t max) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc{} || stop != end || value < min || value > max) {
    throw usage_error(std::string(option) + " takes a whole number from " + std::to_string(min) +
                      " to " + std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return value;
}

/// `adaptive` or `standard` (`legacy` is taken as standard, as aws::config takes it).
aws::retry_mode parse_retry_mode(std::string_view option, const std::string& text) {
  if (text == "adaptive") return aws::retry_mode::adaptive;
  if (text == "standard" || text == "legacy") return aws::retry_mode::standard;
  throw usage_error(std::string(option) + " takes adaptive or standard, not '" + text + "'");
}

std::chrono::year_month parse_month(std::string_view option, const std::string& text) {
  try {
    return parse_time_bucket(text);
  } catch (const std::exception&) {
    throw usage_error(std::string(option) + " takes a month as YYYY-MM, not '" + text + "'");
  }
}

std::string checked_endpoint(std::string_view option, std::string value) {
  if (!value.starts_with("http://") && !value.starts_with("https://")) {
    throw usage_error(std::string(option) + " must be an http:// or https:// URL, not '" + value +
                      "'");
  }
  return value;
}

/// Walks the arguments, splitting `--name=value` and handing out option values.
class argument_reader {
 public:
  explicit argument_reader(std::span<const std::string_view> args) : args_(args) {}

  bool done() const { return index_ >= args_.size() && !pending_value_; }

  /// The next argument; for `--name=value`, `--name` (the value comes from value()).
  std::string_view next() {
    std::string_view arg = args_[index_++];
    if (arg.starts_with("--") && !options_ended_) {
      if (auto equals = arg.find('='); equals != std::string_view::npos) {
        pending_value_ = arg.substr(equals + 1);
        return arg.substr(0, equals);
      }
    }
    return arg;
  }

  std::string value(std::string_view option) {
    if (pending_value_) {
      std::string result(*pending_value_);
      pending_value_.reset();
      return result;
    }
    if (index_ >= args_.size()) throw usage_error(std::string(option) + " needs a value");
    return std::string(args_[index_++]);
  }

  /// An option given as `--flag=value` where the flag takes none.
  void reject_value(std::string_view option) {
    if (pending_value_) throw usage_error(std::string(option) + " takes no value");
  }

  bool options_ended() const { return options_ended_; }
  void end_options() { options_ended_ = true; }

 private:
  std::span<const std::string_view> args_;
  std::size_t index_ = 0;
  std::optional<std::string_view> pending_value_;
  bool options_ended_ = false;
};

void apply_environment(store_settings& settings, const aws::environment& env) {
  auto read = [&env](std::string_view name) {
    auto value = env(name);
    return value && !value->empty() ? value : std::nullopt;
  };
  settings.region = read("AWS_REGION");
  auto shared_endpoint = read("AWS_ENDPOINT_URL");
  settings.dynamodb_endpoint = read("AWS_ENDPOINT_URL_DYNAMODB");
  if (!settings.dynamodb_endpoint) settings.dynamodb_endpoint = shared_endpoint;
  settings.s3_endpoint = read("AWS_ENDPOINT_URL_S3");
  if (!settings.s3_endpoint) settings.s3_endpoint = shared_endpoint;
  settings.table_prefix = read("EVSTORE_TABLE_PREFIX").value_or("");
  settings.bucket = read("EVSTORE_S3_BUCKET").value_or("");
  // Set but empty means "send no ACL" here, so it is read without the empty-is-unset rule.
  settings.s3_acl = env("EVSTORE_S3_ACL");
  if (auto seconds = read("EVSTORE_MAX_TIME_WITHOUT_PROGRESS"))
    settings.max_time_without_progress = std::chrono::seconds{
        parse_count("EVSTORE_MAX_TIME_WITHOUT_PROGRESS", *seconds, 0, max_retry_seconds)};
  if (auto seconds = read("EVSTORE_REQUEST_TIMEOUT"))
    settings.request_timeout = std::chrono::seconds{
        parse_count("EVSTORE_REQUEST_TIMEOUT", *seconds, 1, max_retry_seconds)};
}

/// Applies a global option; false when `option` is not one.
bool apply_global_option(std::string_view option, argument_reader& reader,
                         store_settings& settings) {
  if (option == "--region") {
    settings.region = reader.value(option);
  } else if (option == "--dynamodb-endpoint") {
    settings.dynamodb_endpoint = reader.value(option);
  } else if (option == "--s3-endpoint") {
    settings.s3_endpoint = reader.value(option);
  } else if (option == "--table-prefix") {
    settings.table_prefix = reader.value(option);
  } else if (option == "--bucket") {
    settings.bucket = reader.value(option);
  } else if (option == "--s3-acl") {
    settings.s3_acl = reader.value(option);
  } else if (option == "--retry-mode") {
    settings.retry_mode = parse_retry_mode(option, reader.value(option));
  } else if (option == "--max-attempts") {
    settings.max_attempts =
        static_cast<unsigned>(parse_count(option, reader.value(option), 0, max_attempts_limit));
  } else if (option == "--max-time-without-progress") {
    settings.max_time_without_progress =
        std::chrono::seconds{parse_count(option, reader.value(option), 0, max_retry_seconds)};
  } else if (option == "--request-timeout") {
    settings.request_timeout =
        std::chrono::seconds{parse_count(option, reader.value(option), 1, max_retry_seconds)};
  } else {
    return false;
  }
  return true;
}

/// DOMAIN/IDENTIFIER=WHAT, WHAT one of N, none, exists, any. The stream is split at its first
/// '/' (no '/': no identifier), the expectation at the last '='.
stream_expect parse_expect(std::string_view option, std::string_view text) {
  const std::size_t equals = text.rfind('=');
  const std::string form =
      " takes DOMAIN/IDENTIFIER=N|none|exists|any, not '" + std::string(text) + "'";
  if (equals == std::string_view::npos) throw usage_error(std::string(option) + form);
  const std::string_view stream = text.substr(0, equals);
  const std::string_view what = text.substr(equals + 1);
  const std::size_t slash = stream.find('/');
  stream_expect result;
  result.domain = std::string(stream.substr(0, slash));
  if (slash != std::string_view::npos) result.identifier = std::string(stream.substr(slash + 1));
  if (result.domain.empty()) throw usage_error(std::string(option) + form);
  if (what == "none") {
    result.expectation = stream_expectation::none();
  } else if (what == "exists") {
    result.expectation = stream_expectation::existing();
  } else if (what == "any") {
    result.expectation = stream_expectation::anything();
  } else if (!what.empty() && what.find_first_not_of("0123456789") == std::string_view::npos) {
    result.expectation = stream_expectation::exactly(parse_count(option, what, 0, max_sequence));
  } else {
    throw usage_error(std::string(option) + form);
  }
  return result;
}

/// Longest --idle-exit: a day.
constexpr std::uint64_t max_idle_exit_seconds = 86'400;

bool apply_subscribe_option(std::string_view option, argument_reader& reader, invocation& result) {
  if (option == "--from-start" || option == "--from-now") {
    reader.reject_value(option);
    result.subscribe_from_now = option == "--from-now";
  } else if (option == "--checkpoint") {
    std::string path = reader.value(option);
    if (path.empty()) throw usage_error("--checkpoint needs a file name");
    result.checkpoint_file = std::move(path);
  } else if (option == "--idle-exit") {
    result.idle_exit_seconds = parse_count(option, reader.value(option), 0, max_idle_exit_seconds);
  } else if (option == "--domain" || option == "--type") {
    std::string value = reader.value(option);
    if (value.empty()) throw usage_error(std::string(option) + " needs a value");
    (option == "--domain" ? result.subscribe_domains : result.subscribe_types)
        .push_back(std::move(value));
  } else if (option == "--page-size") {
    result.subscribe_page_size =
        static_cast<std::size_t>(parse_count(option, reader.value(option), 1, max_page_size));
  } else {
    return false;
  }
  return true;
}

/// Applies an option of the command; false when `option` is not one of its.
bool apply_command_option(std::string_view option, argument_reader& reader, invocation& result) {
  switch (result.command) {
    case command_kind::append:
      if (option == "--expected-sequence") {
        result.expected_sequence = parse_count(option, reader.value(option), 0, max_sequence);
        return true;
      }
      if (option == "--atomic") {
        reader.reject_value(option);
        result.atomic = true;
        return true;
      }
      if (option == "--expect") {
        result.expectations.push_back(parse_expect(option, reader.value(option)));
        return true;
      }
      return false;
    case command_kind::replay:
      if (option == "--page-size") {
        result.page_size =
            static_cast<std::size_t>(parse_count(option, reader.value(option), 1, max_page_size));
        return true;
      }
      if (option == "--from" || option == "--from-month") {
        result.first_month = parse_month(option, reader.value(option));
        return true;
      }
      if (option == "--to" || option == "--to-month") {
        result.last_month = parse_month(option, reader.value(option));
        return true;
      }
      if (option == "--after-id") {
        std::string id = reader.value(option);
        if (id.empty()) throw usage_error("--after-id needs an event id");
        result.after_id = std::move(id);
        return true;
      }
      [[fallthrough]];
    case command_kind::migrate:
      if (option == "--parallel") {
        result.parallel =
            static_cast<std::size_t>(parse_count(option, reader.value(option), 1, max_parallel));
        return true;
      }
      return false;
    case command_kind::stream:
      if (option == "--after-sequence") {
        result.after_sequence = parse_count(option, reader.value(option), 0, max_sequence);
        return true;
      }
      return false;
    case command_kind::stats:
      if (option == "--json") {
        reader.reject_value(option);
        result.json = true;
        return true;
      }
      return false;
    case command_kind::subscribe:
      return apply_subscribe_option(option, reader, result);
    case command_kind::reset:
      if (option == "--keep-objects") {
        reader.reject_value(option);
        result.keep_objects = true;
        return true;
      }
      return false;
    default:
      return false;
  }
}

bool takes_event_id(command_kind kind) {
  return kind == command_kind::get || kind == command_kind::caused_by;
}

bool takes_stream(command_kind kind) {
  return kind == command_kind::stream || kind == command_kind::snapshot;
}

bool writes(command_kind kind) {
  return kind == command_kind::init || kind == command_kind::reset || kind == command_kind::append;
}

}  // namespace

invocation parse_arguments(std::span<const std::string_view> args, const aws::environment& env) {
  invocation result;
  apply_environment(result.settings, env);
  argument_reader reader(args);
  std::optional<command_kind> command;
  std::vector<std::string> positionals;
  bool help = false;

  while (!reader.done()) {
    std::string_view arg = reader.next();
    if (!reader.options_ended() && arg == "--") {
      reader.end_options();
    } else if (!reader.options_ended() && (arg == "--help" || arg == "-h")) {
      reader.reject_value(arg);
      help = true;
    } else if (!reader.options_ended() && (arg == "--quiet" || arg == "-q")) {
      reader.reject_value(arg);
      result.quiet = true;
    } else if (!reader.options_ended() && (arg == "--verbose" || arg == "-v")) {
      reader.reject_value(arg);
      result.verbose = true;
    } else if (!reader.options_ended() && arg.size() > 1 && arg.starts_with('-')) {
      bool known = apply_global_option(arg, reader, result.settings);
      if (!known && command) known = apply_command_option(arg, reader, result);
      if (!known) {
        throw usage_error("unknown option " + std::string(arg) +
                          (command ? " for '" + std::string(command_name(*command)) + "'" : "") +
                          " (see evstore --help)");
      }
    } else if (!command) {
      if (arg == "help") {
        help = true;
        continue;
      }
      command = find_command(arg);
      if (!command) {
        throw usage_error("unknown command '" + std::string(arg) + "' (see evstore --help)");
      }
      result.command = *command;
    } else {
      positionals.emplace_back(arg);
    }
  }

  if (help) {
    result.help_text = command ? command_help(*command) : tool_help();
    return result;
  }
  if (!command) throw usage_error("no command given (see evstore --help)");
  if (result.quiet && result.verbose) throw usage_error("--quiet and --verbose contradict");

  if (!result.expectations.empty() && !result.atomic)
    throw usage_error("--expect is for atomic appends: add --atomic");
  for (std::size_t i = 0; i < result.expectations.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (result.expectations[i].domain == result.expectations[j].domain &&
          result.expectations[i].identifier == result.expectations[j].identifier)
        throw usage_error("--expect names stream '" + result.expectations[i].domain + "/" +
                          result.expectations[i].identifier + "' twice");

  std::string_view name = command_name(*command);
  if (takes_event_id(*command)) {
    if (positionals.size() != 1 || positionals.front().empty()) {
      throw usage_error("'" + std::string(name) + "' takes exactly one event id");
    }
    result.event_id = positionals.front();
  } else if (takes_stream(*command)) {
    // A stream of events without identifier is named by an empty IDENTIFIER ("").
    if (positionals.size() != 2 || positionals.front().empty()) {
      throw usage_error("'" + std::string(name) + "' takes a DOMAIN and an IDENTIFIER");
    }
    result.domain = positionals[0];
    result.identifier = positionals[1];
  } else if (!positionals.empty()) {
    throw usage_error("'" + std::string(name) + "' takes no argument, got '" + positionals.front() +
                      "'");
  }

  auto& settings = result.settings;
  if (settings.dynamodb_endpoint) {
    settings.dynamodb_endpoint =
        checked_endpoint("--dynamodb-endpoint", *settings.dynamodb_endpoint);
  }
  if (settings.s3_endpoint) {
    settings.s3_endpoint = checked_endpoint("--s3-endpoint", *settings.s3_endpoint);
  }
  if (result.first_month && result.last_month && *result.first_month > *result.last_month) {
    throw usage_error("--from is after --to");
  }
  if (result.after_id && result.first_month) {
    throw usage_error("--after-id and --from both say where replay starts: give one");
  }
  if (writes(*command) && settings.bucket.empty()) {
    throw usage_error("'" + std::string(name) +
                      "' needs an S3 bucket for large payloads: pass --bucket or set "
                      "EVSTORE_S3_BUCKET");
  }
  return result;
}

std::string_view command_name(command_kind command) {
  for (const auto& entry : command_names) {
    if (entry.kind == command) return entry.name;
  }
  return "?";
}

}  // namespace evstore::cli
