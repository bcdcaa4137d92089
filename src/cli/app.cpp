#include "app.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "event_lines.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "progress.hpp"

namespace evstore::cli {
namespace {

/// One line on stderr: scripts read the first line of a failure.
void report(std::string_view context, std::string_view what) {
  std::string line = "evstore";
  if (!context.empty()) {
    line += ' ';
    line += context;
  }
  line += ": ";
  for (char c : what) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

std::string_view log_level_name(log_level level) {
  switch (level) {
    case log_level::debug:
      return "debug";
    case log_level::info:
      return "info";
    case log_level::warning:
      return "warning";
    case log_level::error:
      return "error";
  }
  return "log";
}

aws::config store_config(const store_settings& settings) {
  aws::config_settings explicit_settings;
  explicit_settings.region = settings.region;
  if (settings.dynamodb_endpoint)
    explicit_settings.service_endpoint_urls.emplace("dynamodb", *settings.dynamodb_endpoint);
  if (settings.s3_endpoint)
    explicit_settings.service_endpoint_urls.emplace("s3", *settings.s3_endpoint);
  explicit_settings.max_attempts = settings.max_attempts;
  explicit_settings.retry_mode = settings.retry_mode;
  return aws::config::from_environment(explicit_settings);
}

/// What the store logged at error level during the run (e.g. which streams of a failed append
/// were written). It joins the failure's one line rather than adding lines before it.
class logged_errors {
 public:
  void add(std::string_view message) {
    const std::lock_guard lock(mutex_);
    messages_.emplace_back(message);
  }
  /// `what`, then every logged error not already in it.
  std::string appended_to(std::string what) const {
    const std::lock_guard lock(mutex_);
    for (const std::string& message : messages_) {
      if (what.find(message) == std::string::npos) what += " (" + message + ")";
    }
    return what;
  }
  std::vector<std::string> messages() const {
    const std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

repo_options store_options(const invocation& call, std::shared_ptr<logged_errors> errors) {
  repo_options options;
  options.table_name_prefix = call.settings.table_prefix;
  options.s3_bucket_name = call.settings.bucket;
  if (call.settings.s3_acl) options.s3_acl = *call.settings.s3_acl;
  if (call.settings.max_time_without_progress)
    options.max_time_without_progress = *call.settings.max_time_without_progress;
  if (call.settings.request_timeout) options.request_timeout = *call.settings.request_timeout;
  // Warnings (retries given up, throttling) are for a person watching: on a pipe they would
  // come before the one-line error scripts read.
  const bool show_warnings = progress_terminal(call.quiet) != nullptr;
  options.log = [show_warnings, verbose = call.verbose, errors](log_level level,
                                                                std::string_view message) {
    if (verbose && level != log_level::error)
      report(log_level_name(level), message);
    else if (level == log_level::warning && show_warnings)
      report("warning", message);
    if (level == log_level::error) errors->add(message);
  };
  return options;
}

/// Runs the command; `metrics` gets the store's counters once it ran, also when it failed.
void execute(const invocation& call, std::shared_ptr<logged_errors> errors,
             std::optional<repo_metrics>& metrics) {
  boost::asio::io_context io;
  const aws::config config = store_config(call.settings);
  repo store(io.get_executor(), config, store_options(call, std::move(errors)));
  std::exception_ptr failure;
  command_context context{store, std::cin, stdout, progress_terminal(call.quiet)};
  boost::asio::co_spawn(io, run_command(call, context),
                        [&failure](std::exception_ptr e) { failure = std::move(e); });
  io.run();
  metrics = store.metrics();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

int run(std::span<const std::string_view> args) {
  std::ios::sync_with_stdio(false);
  invocation call;
  try {
    call = parse_arguments(args, aws::process_environment());
  } catch (const usage_error& e) {
    report("", e.what());
    return exit_bad_input;
  }
  if (call.help_text) {
    std::fputs(call.help_text->c_str(), stdout);
    return std::fflush(stdout) == 0 ? exit_success : exit_failure;
  }

  const std::string_view context = command_name(call.command);
  const auto errors = std::make_shared<logged_errors>();
  std::optional<repo_metrics> metrics;
  // After the command's own lines (a failure's comes first): that it was slowed down, and why.
  auto note_throttling = [&] {
    if (call.quiet || !metrics) return;
    if (const auto note = throttle_note(*metrics)) report(std::string(context) + ": note", *note);
  };
  auto fail = [&](const std::exception& e, int status) {
    report(context, errors->appended_to(e.what()));
    note_throttling();
    return status;
  };
  try {
    execute(call, errors, metrics);
  } catch (const input_error& e) {
    return fail(e, exit_bad_input);
  } catch (const concurrency_error& e) {
    return fail(e, exit_conflict);
  } catch (const not_found_error& e) {
    return fail(e, exit_not_found);
  } catch (const boost::system::system_error& e) {
    return fail(e, e.code() == store_errc::invalid_event ? exit_bad_input : exit_failure);
  } catch (const std::exception& e) {
    return fail(e, exit_failure);
  }
  // Errors the store logged without failing the command (none expected): still reported.
  for (const std::string& message : errors->messages()) report(context, message);
  note_throttling();
  return exit_success;
}

}  // namespace evstore::cli
