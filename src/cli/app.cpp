#include "app.hpp"

#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/system/system_error.hpp>

#include "arguments.hpp"
#include "commands.hpp"
#include "event_lines.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"

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

aws::config store_config(const store_settings& settings) {
  aws::config_settings explicit_settings;
  explicit_settings.region = settings.region;
  if (settings.dynamodb_endpoint)
    explicit_settings.service_endpoint_urls.emplace("dynamodb", *settings.dynamodb_endpoint);
  if (settings.s3_endpoint)
    explicit_settings.service_endpoint_urls.emplace("s3", *settings.s3_endpoint);
  return aws::config::from_environment(explicit_settings);
}

repo_options store_options(const store_settings& settings) {
  repo_options options;
  options.table_name_prefix = settings.table_prefix;
  options.s3_bucket_name = settings.bucket;
  options.log = [](log_level level, std::string_view message) {
    if (level == log_level::warning) report("warning", message);
    if (level == log_level::error) report("error", message);
  };
  return options;
}

void execute(const invocation& call) {
  boost::asio::io_context io;
  repo store(io.get_executor(), store_config(call.settings), store_options(call.settings));
  std::exception_ptr failure;
  boost::asio::co_spawn(io, run_command(store, call, std::cin, stdout),
                        [&failure](std::exception_ptr e) { failure = std::move(e); });
  io.run();
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
  try {
    execute(call);
    return exit_success;
  } catch (const input_error& e) {
    report(context, e.what());
    return exit_bad_input;
  } catch (const concurrency_error& e) {
    report(context, e.what());
    return exit_conflict;
  } catch (const boost::system::system_error& e) {
    report(context, e.what());
    return e.code() == store_errc::invalid_event ? exit_bad_input : exit_failure;
  } catch (const std::exception& e) {
    report(context, e.what());
    return exit_failure;
  }
}

}  // namespace evstore::cli
