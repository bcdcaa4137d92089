#include "help.hpp"

namespace evstore::cli {

std::string tool_help() {
  return R"(usage: evstore [OPTIONS] COMMAND [COMMAND OPTIONS]

Stores and replays event-sourcing events in DynamoDB (large payloads in S3), on the table layout
of @schemeless/event-store-adapter-dynamodb.

Commands:
  init                       create the table, its indexes and the bucket when missing
  reset                      delete and recreate the table and the offloaded payloads
  append                     store events read as JSON Lines from stdin
  replay                     write every event as JSON Lines to stdout, in replay order
  get ID                     write the event with this id
  caused-by ID               write the events whose causationId is ID
  stream DOMAIN IDENTIFIER   write one stream's events, by sequence
  snapshot DOMAIN IDENTIFIER write the stream's latest snapshot
  migrate                    prepare a table the TypeScript adapter wrote for every command
  streams                    write every stream with its version
  stats                      count events, months and streams; show the requests made
  subscribe                  follow the log: every event, then new ones as they come (JSON Lines)
  help COMMAND               a command's help

Options (each also read from the environment variable named):
  --region REGION              AWS region (AWS_REGION)
  --dynamodb-endpoint URL      DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL)
  --s3-endpoint URL            S3 endpoint (AWS_ENDPOINT_URL_S3, else AWS_ENDPOINT_URL)
  --table-prefix PREFIX        table is PREFIXschemeless-event-store (EVSTORE_TABLE_PREFIX)
  --bucket NAME                bucket for large payloads (EVSTORE_S3_BUCKET)
  --s3-acl ACL                 canned ACL of offloaded objects, default private; "" sends none,
                               as buckets with ACLs disabled require (EVSTORE_S3_ACL)
  --retry-mode MODE            adaptive (default: throttling slows the tool down) or standard
                               (AWS_RETRY_MODE, the profile's retry_mode)
  --max-attempts N             attempts of a request at most; default 0: no count, only the
                               time without progress bounds retries (AWS_MAX_ATTEMPTS, the
                               profile's max_attempts)
  --max-time-without-progress SECONDS
                               give up a failing request once nothing succeeded for this
                               long; 0: never; default 60 (EVSTORE_MAX_TIME_WITHOUT_PROGRESS)
  --request-timeout SECONDS    one attempt's limit, default 30 (EVSTORE_REQUEST_TIMEOUT)
  -q, --quiet                  no progress and no warnings on stderr, only errors
  -v, --verbose                every library log line (debug: retries; info; warning) on
                               stderr, also when piped
  -h, --help                   this help; `evstore COMMAND --help` for a command's
Credentials come from the standard AWS chain (environment, shared files, container, EC2).
Progress and warnings go to stderr only when it is a terminal; output is the same either way.
A command the services throttled ends with one note on stderr (not with --quiet).
A failure is always one line on stderr: "evstore COMMAND: what went wrong".

Event JSON shape: {"id", "domain", "type", "identifier", "payload", "meta", "correlationId",
"causationId", "created", "sequence"}; created is ISO-8601 UTC (2024-05-01T12:34:56.789Z).

Exit status:
  0  success
  1  the store, the network or the credentials failed
  2  bad usage or bad input; nothing was written
  3  concurrency conflict: a stream's version was not the expected one
  4  not found: no such event (get) or no snapshot (snapshot)
)";
}

std::string command_help(command_kind command) {
  switch (command) {
    case command_kind::init:
      return R"(usage: evstore [OPTIONS] init

Creates the table with its indexes, and the bucket, when missing, and waits until they are
usable. Adds the indexes a table made by an older version lacks. Safe to run again or from
several processes at once.
)";
    case command_kind::reset:
      return R"(usage: evstore [OPTIONS] reset [--keep-objects]

Deletes the table and every offloaded payload under the key prefix, then creates the table
again. Every stored event is lost.
  --keep-objects       leave the offloaded payloads in the bucket
)";
    case command_kind::append:
      return R"(usage: evstore [OPTIONS] append [--expected-sequence N] < events.jsonl
       evstore [OPTIONS] append --atomic [--expect DOMAIN/IDENTIFIER=WHAT]... [--expected-sequence N]
                                < events.jsonl

Reads events as JSON Lines from stdin, one object a line (blank lines are skipped):
  {"domain": "account", "type": "opened", "payload": {...}}  required
  "id", "identifier", "meta" (object), "correlationId", "causationId",
  "created" (ISO-8601)                                        optional
Every line is checked before anything is written; a bad line is reported by its number.
Events are grouped by stream (domain and identifier), appended in order, and each stream's
transaction checks its version.
  --expected-sequence N   the version every stream must have now (0: new streams); without it
                          the events follow whatever the stream holds
  --atomic                all lines in one transaction, all or nothing; at most 100 actions (a
                          head per stream, one per event, one per checked stream) and 4 MB,
                          never split
  --expect DOMAIN/IDENTIFIER=WHAT
                          (with --atomic, repeatable) the stream's version must be WHAT: a number
                          N, none (no event yet), exists (at least one) or any; a stream with no
                          line is only checked. Streams without --expect take --expected-sequence,
                          else any. IDENTIFIER is what follows the first '/' (none: no identifier)
Exit status 2 for a bad line (nothing written) or an atomic append too large for one
transaction, 3 when a stream's version is not the expected one (with --atomic: every such
stream is named, and nothing was written).
)";
    case command_kind::replay:
      return R"(usage: evstore [OPTIONS] replay [--page-size N] [--from YYYY-MM] [--to YYYY-MM]
                                     [--after-id ID] [--parallel K] > events.jsonl

Writes every event as one JSON object a line to stdout, month by month and by created time
within a month (events of one millisecond by stream and sequence, so each stream's events come
in sequence order), with its sequence; offloaded payloads are fetched from S3.
  --page-size N        events read per request, 1 to 10000 (default 100)
  --from YYYY-MM       the first month read (default: the earliest that holds events)
  --to YYYY-MM         the last month read (default: the latest that holds events)
  --after-id ID        resume: start right after this event (the last line of an earlier
                       replay); not with --from
  --parallel K         months read at once, 1 to 64 (default 4); the output is the same
--from-month and --to-month are older names of --from and --to.
On a terminal, stderr shows events, events/s, the month being read and an ETA.
Exit status 1 when the --after-id event does not exist.
)";
    case command_kind::get:
      return R"(usage: evstore [OPTIONS] get ID

Writes the event with this id as one JSON line. Exit status 4 when there is none.
)";
    case command_kind::caused_by:
      return R"(usage: evstore [OPTIONS] caused-by ID

Writes every event whose causationId is ID, one JSON object a line, by created time.
)";
    case command_kind::stream:
      return R"(usage: evstore [OPTIONS] stream DOMAIN IDENTIFIER [--after-sequence N]

Writes the stream's events as JSON Lines, by sequence, up to its version at the time of the
call (an append that succeeded before is always included). IDENTIFIER "" names the stream of
events that have none.
  --after-sequence N   only events with a greater sequence (default 0: all)
Events the TypeScript adapter wrote are found only after `evstore migrate`. Exit status 1 when
the stream index does not catch up within 5 s.
)";
    case command_kind::snapshot:
      return R"(usage: evstore [OPTIONS] snapshot DOMAIN IDENTIFIER

Writes the stream's latest snapshot as one JSON line:
  {"domain", "identifier", "sequence", "state", "created"}
Exit status 4 when the stream has no snapshot.
)";
    case command_kind::migrate:
      return R"(usage: evstore [OPTIONS] migrate [--parallel N]

Brings a table the TypeScript adapter wrote up to what evstore needs: adds the stream
attribute to event items lacking it (so `stream` finds them) and records the months holding
events (so `replay` reads exactly those). Reads the whole table once; writes only items that
need it. Idempotent and resumable; safe while other writers append.
  --parallel N         Scan segments read at once, 1 to 64 (default 4)
On a terminal, stderr shows items scanned and updated; the totals are written to stdout as
{"itemsScanned": N, "itemsUpdated": N}.
)";
    case command_kind::streams:
      return R"(usage: evstore [OPTIONS] streams

Writes every stream with its version, one JSON object a line, in no particular order:
  {"domain": "account", "identifier": "42", "version": 3}
Reads the whole table (a Scan that returns only stream head items).
)";
    case command_kind::stats:
      return R"(usage: evstore [OPTIONS] stats [--json]

Writes the table's event count (the sum of the stream versions), the months holding events,
the number of streams, and the requests this run made (requests, retries, throttles, errors,
consumed capacity, latency). Reads the whole table (a Scan of stream head items).
  --json               one JSON object instead of text
)";
    case command_kind::subscribe:
      return R"(usage: evstore [OPTIONS] subscribe [--from-start | --from-now] [--checkpoint FILE]
                     [--idle-exit SECONDS] [--domain D]... [--type T]... [--page-size N]

Writes every event as JSON Lines to stdout (the shape of replay): first those stored (from the
start, by default), then new ones as they are committed, until stopped. Events come in replay
order, late arrivals (up to 10 s behind) right after they are seen, each stream always in
sequence order, each event once. docs/subscriptions.md gives the guarantee and its limits.
  --from-start         begin with the first event in the table (default)
  --from-now           begin with events created from now on
  --checkpoint FILE    resume after the position saved in FILE when it exists; after each page
                       is written to stdout, save the new position there (atomically)
  --idle-exit SECONDS  exit (status 0) after this long without a new event
  --domain D           only events of domain D (repeatable); filtered after reading
  --type T             only events of type T (repeatable); filtered after reading
  --page-size N        index keys read a page, 1 to 10000 (default 1000)
SIGINT or SIGTERM: the page being read is written and saved, then the tool exits with status
0, so a restart with the same --checkpoint repeats and loses nothing; after SIGKILL at most the
last unsaved page comes again. An event found later than the 10 s window is written too and
reported on stderr ("warning: ... late").
)";
  }
  return tool_help();
}

}  // namespace evstore::cli
