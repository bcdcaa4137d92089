'use strict';
// Replays every event of a table through the TypeScript adapter's getAllEvents(pageSize) and
// reports events/s, this process's CPU time per event, its peak RSS, and events over time.
//
//   node replay.js [--page-size 100] [--warmup] [--label L] [--json FILE] [--print]
// --print writes every event to stdout as a JSON line (what `evstore replay` writes), and the
// summary line to stderr: scripts/bench times this whole process beside the evstore tool.
// Environment as node/interop/adapter.js: EVSTORE_TABLE_PREFIX, EVSTORE_S3_BUCKET,
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3.

const { openAdapter } = require('../interop/open-adapter');
const { numberOption, textOption, cpuSeconds, writeJson } = require('./options');

async function replayAll(repo, pageSize, start, timeline, print) {
  let events = 0;
  for await (const page of await repo.getAllEvents(pageSize)) {
    events += page.length;
    if (print) {
      const lines = page.map((event) => JSON.stringify(event)).join('\n') + '\n';
      if (!process.stdout.write(lines)) await new Promise((done) => process.stdout.once('drain', done));
    }
    if (timeline) timeline.push([(performance.now() - start) / 1000, events]);
  }
  return events;
}

async function main() {
  const args = process.argv.slice(2);
  const pageSize = numberOption(args, '--page-size', 100);
  const label = textOption(args, '--label', 'adapter replay');
  const { repo, close } = openAdapter();
  try {
    // The first call creates nothing but checks the table; an untimed pass also fills a
    // memoizing proxy when --warmup asks for it.
    if (args.includes('--warmup')) await replayAll(repo, pageSize, 0, null);
    else await repo.init();
    const timeline = [];
    const cpuStart = cpuSeconds();
    const start = performance.now();
    const print = args.includes('--print');
    const events = await replayAll(repo, pageSize, start, timeline, print);
    const seconds = (performance.now() - start) / 1000;
    const cpu = cpuSeconds() - cpuStart;
    if (events === 0) throw new Error('the table holds no events: seed it first');
    const rss = process.resourceUsage().maxRSS;
    (print ? console.error : console.log)(`${label}: ${events} events in ${seconds.toFixed(2)} s: ` +
      `${(events / seconds).toFixed(0)} events/s, client CPU ${(cpu * 1e6 / events).toFixed(2)} ` +
      `us/event, peak RSS ${(rss / 1024).toFixed(1)} MiB`);
    writeJson(textOption(args, '--json', ''), {
      label, client: 'adapter', events, page_size: pageSize, seconds,
      events_per_s: events / seconds, cpu_seconds: cpu, cpu_us_per_event: cpu * 1e6 / events,
      peak_rss_kib: rss, timeline,
    });
  } finally {
    close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`replay.js: ${error.name}: ${error.message}`);
    process.exit(1);
  },
);
