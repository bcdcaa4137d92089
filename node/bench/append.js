'use strict';
// Appends through the TypeScript adapter like bench_append does through evstore: `events`
// events in batches of `batch` over `streams` streams, `in-flight` storeEvents calls outstanding
// at once, worker w owning the streams s with s % W == w.
//
//   node append.js [--events 20000] [--batch 10] [--streams 200] [--in-flight 16]
//                  [--payload-bytes 1024] [--label L] [--json FILE]
// Environment as node/interop/adapter.js (use a fresh EVSTORE_TABLE_PREFIX per run).

const { randomUUID } = require('crypto');
const { openAdapter } = require('../interop/open-adapter');
const { benchEvent } = require('./events');
const { numberOption, textOption, cpuSeconds, writeJson } = require('./options');

// Worker w's batches, in order: round by round, one batch for each of its streams. Built before
// the clock starts, like bench_append's, so the figures count the appends.
function workerBatches(work, w) {
  const batches = [];
  const perStream = Math.floor(work.events / work.streams);
  for (let first = 0; first < perStream; first += work.batch) {
    for (let s = w; s < work.streams; s += work.inFlight) {
      const batch = [];
      for (let k = first; k < Math.min(first + work.batch, perStream); ++k) {
        batch.push(benchEvent(s, k, work.payloadBytes));
      }
      batches.push(batch);
    }
  }
  return batches;
}

async function worker(repo, batches) {
  for (const batch of batches) {
    // The adapter takes id and created from its caller (evstore's append fills them itself).
    const stamped = batch.map((event) => ({ ...event, id: randomUUID(), created: new Date() }));
    await repo.storeEvents(stamped);
  }
}

async function main() {
  const args = process.argv.slice(2);
  const work = {
    events: numberOption(args, '--events', 20000),
    batch: Math.max(1, numberOption(args, '--batch', 10)),
    streams: Math.max(1, numberOption(args, '--streams', 200)),
    inFlight: Math.max(1, numberOption(args, '--in-flight', 16)),
    payloadBytes: numberOption(args, '--payload-bytes', 1024),
  };
  const label = textOption(args, '--label', 'adapter append');
  const { repo, close } = openAdapter();
  try {
    await repo.init();
    const appended = Math.floor(work.events / work.streams) * work.streams;
    const batches = [];
    for (let w = 0; w < work.inFlight; ++w) batches.push(workerBatches(work, w));
    const cpuStart = cpuSeconds();
    const start = performance.now();
    await Promise.all(batches.map((mine) => worker(repo, mine)));
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds() - cpuStart;
    console.log(`${label}: ${appended} events in ${seconds.toFixed(2)} s: ` +
      `${(appended / seconds).toFixed(0)} events/s, client CPU ` +
      `${(cpu * 1e6 / appended).toFixed(1)} us/event`);
    writeJson(textOption(args, '--json', ''), {
      label, client: 'adapter', events: appended, batch: work.batch, streams: work.streams,
      in_flight: work.inFlight, payload_bytes: work.payloadBytes, seconds,
      events_per_s: appended / seconds, cpu_seconds: cpu, cpu_us_per_event: cpu * 1e6 / appended,
      peak_rss_kib: process.resourceUsage().maxRSS,
    });
  } finally {
    close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`append.js: ${error.name}: ${error.message}`);
    process.exit(1);
  },
);
