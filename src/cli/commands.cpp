#include "commands.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "event_lines.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"
#include "line_writer.hpp"
#include "progress.hpp"
#include "scan_commands.hpp"
#include "snapshot_line.hpp"
#include "subscribe_command.hpp"

namespace evstore::cli {
namespace {

using boost::asio::awaitable;

/// Writes the events an append would send again to settle a failure to a new file in the
/// temporary directory; returns its path (empty when it could not be written).
std::string write_resend_file(const std::vector<event>& events) {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string path = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/evstore-append-" +
                     std::to_string(::getpid()) + "-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return {};
  std::FILE* file = ::fdopen(fd, "w");
  if (!file) {
    ::close(fd);
    return {};
  }
  bool written = true;
  for (const event& e : events) {
    const std::string line = to_json_line(e) + "\n";
    written = written && std::fwrite(line.data(), 1, line.size(), file) == line.size();
  }
  written = std::fclose(file) == 0 && written;
  return written ? path : std::string();
}

/// `append --atomic`: each stream of the lines (in order of its first line) is written with its
/// --expect, else --expected-sequence, else any version; streams given with --expect but no line
/// are checked.
atomic_append atomic_request(std::vector<event> events, const invocation& call) {
  atomic_append request;
  const auto expectation_of = [&](const std::string& domain, const std::string& identifier) {
    for (const stream_expect& e : call.expectations)
      if (e.domain == domain && e.identifier == identifier) return std::optional(e.expectation);
    return std::optional<stream_expectation>();
  };
  // Streams in order of their first line.
  for (event& e : events) {
    const std::string identifier = e.identifier.value_or("");
    auto write = std::find_if(request.writes.begin(), request.writes.end(), [&](const auto& w) {
      return w.domain == e.domain && w.identifier == identifier;
    });
    if (write == request.writes.end()) {
      atomic_stream_write added;
      added.domain = e.domain;
      added.identifier = identifier;
      added.expectation = expectation_of(e.domain, identifier)
                              .value_or(call.expected_sequence
                                            ? stream_expectation::exactly(*call.expected_sequence)
                                            : stream_expectation::anything());
      write = request.writes.insert(request.writes.end(), std::move(added));
    }
    write->events.push_back(std::move(e));
  }
  for (const stream_expect& e : call.expectations) {
    const bool written = std::any_of(
        request.writes.begin(), request.writes.end(),
        [&](const auto& w) { return w.domain == e.domain && w.identifier == e.identifier; });
    if (!written) request.checks.push_back({e.domain, e.identifier, e.expectation});
  }
  return request;
}

awaitable<void> append(const command_context& context, const invocation& call) {
  std::vector<event> events = read_event_lines(context.in);
  if (events.empty()) co_return;
  append_options options;
  options.expected_sequence = call.expected_sequence;
  try {
    if (call.atomic)
      co_await context.store.append_atomic(atomic_request(std::move(events), call));
    else
      co_await context.store.append(std::move(events), options);
  } catch (append_error& error) {
    // Something stored or in doubt: the operator settles it by sending exactly these events
    // (generated ids included) again, which stores nothing twice.
    if (error.in_doubt() || !error.written_events().empty()) {
      const std::string path = write_resend_file(error.resend_events());
      error.add_note(path.empty() ? "the events could not be saved for a resend"
                                  : "the events of this call, with the ids they were given, are "
                                    "in " +
                                        path + ": `evstore append " +
                                        (call.atomic ? "--atomic (with the same --expect) " : "") +
                                        "< " + path + "` settles it without copies");
    }
    throw;
  }
}

awaitable<void> replay_all(const command_context& context, const invocation& call) {
  line_writer writer(context.out);
  progress_meter meter(context.progress);
  replay_options options;
  options.page_size = call.page_size;
  options.first_month = call.first_month;
  options.last_month = call.last_month;
  options.after_id = call.after_id;
  if (call.parallel) options.parallel_buckets = *call.parallel;

  // The ETA needs the last month; asked for only when someone watches (one GetItem).
  std::optional<std::chrono::year_month> last_month = call.last_month;
  if (meter.enabled() && !last_month) {
    if (auto months = co_await context.store.event_months()) last_month = months->last;
  }
  std::optional<std::chrono::year_month> first_month = call.first_month;
  std::uint64_t count = 0;
  auto pages = context.store.all_events(options);
  while (auto page = co_await pages.next()) {
    for (const event& e : *page) writer.write(e);
    count += page->size();
    if (meter.enabled() && page->back().created) {
      const auto month = month_of(*page->back().created);
      if (!first_month) first_month = month;
      std::optional<double> fraction;
      if (last_month) fraction = month_fraction(*first_month, month, *last_month);
      std::string detail = "month " + time_bucket(month);
      const repo_metrics metrics = context.store.metrics();
      if (const std::uint64_t throttled =
              metrics.dynamodb.errors.throttling + metrics.s3.errors.throttling)
        detail += "  throttled " + with_thousands(throttled);
      meter.update(count, "events", std::move(detail), fraction);
    }
  }
  writer.flush();
  meter.finish();
}

awaitable<void> write_stream(const command_context& context, const invocation& call) {
  stream_read_options options;
  options.after_sequence = call.after_sequence;
  const std::vector<event> events =
      co_await context.store.stream_events(call.domain, call.identifier, options);
  line_writer writer(context.out);
  for (const event& e : events) writer.write(e);
  writer.flush();
}

awaitable<void> write_snapshot(const command_context& context, const invocation& call) {
  const std::optional<snapshot> found =
      co_await context.store.get_snapshot(call.domain, call.identifier);
  if (!found) {
    throw not_found_error("no snapshot of the stream " + call.domain + "::" + call.identifier);
  }
  line_writer writer(context.out);
  writer.write(snapshot_json_line(*found));
  writer.flush();
}

awaitable<void> migrate(const command_context& context, const invocation& call) {
  progress_meter meter(context.progress);
  migrate_options options;
  if (call.parallel) options.parallel_segments = *call.parallel;
  options.on_progress = [&meter](const migrate_progress& progress) {
    meter.update(progress.items_scanned, "items scanned",
                 with_thousands(progress.items_updated) + " updated");
  };
  const migrate_progress totals = co_await context.store.migrate(options);
  meter.finish();
  const boost::json::object line{{"itemsScanned", totals.items_scanned},
                                 {"itemsUpdated", totals.items_updated}};
  line_writer writer(context.out);
  writer.write(boost::json::serialize(line));
  writer.flush();
}

}  // namespace

awaitable<void> run_command(const invocation& call, command_context context) {
  repo& store = context.store;
  switch (call.command) {
    case command_kind::init:
      co_await store.init();
      break;
    case command_kind::reset:
      co_await store.reset_store(call.keep_objects);
      break;
    case command_kind::append:
      co_await append(context, call);
      break;
    case command_kind::replay:
      co_await replay_all(context, call);
      break;
    case command_kind::get: {
      auto found = co_await store.get_event_by_id(call.event_id);
      if (!found) throw not_found_error("no event with id '" + call.event_id + "'");
      line_writer writer(context.out);
      writer.write(*found);
      writer.flush();
      break;
    }
    case command_kind::caused_by: {
      const std::vector<event> caused = co_await store.find_by_causation_id(call.event_id);
      line_writer writer(context.out);
      for (const event& e : caused) writer.write(e);
      writer.flush();
      break;
    }
    case command_kind::stream:
      co_await write_stream(context, call);
      break;
    case command_kind::snapshot:
      co_await write_snapshot(context, call);
      break;
    case command_kind::migrate:
      co_await migrate(context, call);
      break;
    case command_kind::streams:
      co_await list_streams(context);
      break;
    case command_kind::stats:
      co_await write_stats(context, call);
      break;
    case command_kind::subscribe:
      co_await follow_log(context, call);
      break;
  }
}

}  // namespace evstore::cli
