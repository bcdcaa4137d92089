'use strict';
// Drives the published TypeScript adapter (@schemeless/event-store-adapter-dynamodb 5.0.0) for
// evstore's interoperability tests, with events as JSON Lines in evstore's shape.
//
//   node adapter.js store [--expected-sequence N] < events.jsonl   one storeEvents call
//   node adapter.js replay [--page-size N] > events.jsonl            getAllEvents, every page
//   node adapter.js sequence DOMAIN [IDENTIFIER]                     getStreamSequence
//
// Environment: EVSTORE_TABLE_PREFIX, EVSTORE_S3_BUCKET, AWS_ENDPOINT_URL_DYNAMODB and
// AWS_ENDPOINT_URL_S3 (default: the local servers of scripts/emulators).
// Exit status: 0 success, 2 bad usage, 3 ConcurrencyError, 1 otherwise.

const { openAdapter } = require('./open-adapter');

const usage = 'usage: node adapter.js store [--expected-sequence N] | replay [--page-size N] | ' +
  'sequence DOMAIN [IDENTIFIER]';

class UsageError extends Error {}

function countOption(args, name) {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = Number(args[at + 1]);
  if (!Number.isSafeInteger(value) || value < 0) throw new UsageError(`${name} needs a count`);
  return value;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

// evstore's JSON shape -> the event object the adapter's callers hand it (created as a Date).
function toAdapterEvent(line, lineNumber) {
  let event;
  try {
    event = JSON.parse(line);
  } catch (e) {
    throw new UsageError(`line ${lineNumber}: ${e.message}`);
  }
  if (typeof event.created !== 'string') throw new UsageError(`line ${lineNumber}: no created`);
  if (typeof event.id !== 'string') throw new UsageError(`line ${lineNumber}: no id`);
  return { ...event, created: new Date(event.created) };
}

// An event the adapter read -> evstore's JSON shape (absent fields omitted).
function toEvstoreShape(event) {
  const shaped = {
    id: event.id,
    domain: event.domain,
    type: event.type,
    identifier: event.identifier,
    payload: event.payload,
    meta: event.meta,
    correlationId: event.correlationId,
    causationId: event.causationId,
    created: event.created instanceof Date ? event.created.toISOString() : event.created,
    sequence: event.sequence,
  };
  for (const key of Object.keys(shaped)) {
    if (shaped[key] === undefined || shaped[key] === null) delete shaped[key];
  }
  return shaped;
}

async function store(repo, args) {
  const expectedSequence = countOption(args, '--expected-sequence');
  const lines = (await readStdin()).split('\n');
  const events = [];
  lines.forEach((line, index) => {
    if (line.trim() !== '') events.push(toAdapterEvent(line, index + 1));
  });
  await repo.storeEvents(events, expectedSequence === undefined ? {} : { expectedSequence });
}

async function replay(repo, args) {
  const pages = await repo.getAllEvents(countOption(args, '--page-size') ?? 100);
  const out = [];
  for await (const page of pages) {
    for (const event of page) out.push(JSON.stringify(toEvstoreShape(event)));
  }
  process.stdout.write(out.length ? out.join('\n') + '\n' : '');
}

async function sequence(repo, args) {
  if (args.length < 1 || args.length > 2) throw new UsageError(usage);
  process.stdout.write(`${await repo.getStreamSequence(args[0], args[1])}\n`);
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const commands = { store, replay, sequence };
  if (!commands[command]) throw new UsageError(usage);
  const { repo, close } = openAdapter();
  try {
    await commands[command](repo, args);
  } finally {
    close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`adapter.js: ${error.name}: ${error.message}\n`);
    if (error instanceof UsageError) process.exit(2);
    process.exit(error.name === 'ConcurrencyError' ? 3 : 1);
  },
);
