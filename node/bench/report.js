'use strict';
// Reads a scripts/bench results folder and prints the summary tables (Markdown): every figure
// (with the targets of issue 6), the scaling tables, and last every target of issue 15 with its
// figure from the run and its verdict; writes the data files the gnuplot scripts in bench/plots
// plot. A results file with a "targets" array (a benchmark of another helper: subscribe.json,
// the append benchmark's) adds its rows, each {what, measured, reference, ratio, target, met}
// (met: true, false or null), to the last table.
//
//   node report.js RESULTS_DIR

const fs = require('fs');
const path = require('path');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node report.js RESULTS_DIR');
  process.exit(2);
}

function load(name) {
  const file = path.join(dir, name);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : null;
}

const fmt = (x, digits = 0) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a'
  : x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }));
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'missed');
const rows = [];
function row(what, evstore, adapter, ratio, target, ok) {
  rows.push(`| ${what} | ${evstore} | ${adapter} | ${ratio} | ${target} | ${verdict(ok)} |`);
}

// Events/s and CPU per event, evstore beside the adapter. A speed target of 1 means "above the
// adapter's": a tie misses it.
function compare(what, e, a, speedTarget, cpuTarget) {
  if (!e || !a) return;
  const speed = e.events_per_s / a.events_per_s;
  const above = speedTarget === 1;
  row(`${what}: events/s`, fmt(e.events_per_s), fmt(a.events_per_s), `${fmt(speed, 2)}x`,
    above ? "above the adapter's" : `>= ${speedTarget}x the adapter's`,
    above ? speed > 1 : speed >= speedTarget);
  if (cpuTarget) {
    const cpu = a.cpu_us_per_event / e.cpu_us_per_event;
    row(`${what}: client CPU us/event`, fmt(e.cpu_us_per_event, 2), fmt(a.cpu_us_per_event, 2),
      `1/${fmt(cpu, 1)}`, `<= 1/${cpuTarget} of the adapter's`, cpu >= cpuTarget);
  }
}

const replayDirect = [load('replay-direct-evstore.json'), load('replay-direct-adapter.json')];
const replayProxy = [load('replay-proxy-evstore.json'), load('replay-proxy-adapter.json')];
compare('1. Replay, DynamoDB Local', ...replayDirect, 1, 20);
compare('2. Replay, 5 ms memoizing proxy', ...replayProxy, 5, 20);

const ceiling = load('replay-ceiling.json');
const dom = load('replay-dom.json');
if (ceiling) {
  row('3. Replay ceiling, one core, proxy without delay: events/s', fmt(ceiling.events_per_s),
    dom ? `Boost.JSON DOM alone: ${fmt(dom.events_per_s)}` : 'n/a',
    dom ? `${fmt(ceiling.events_per_s / dom.events_per_s, 2)}x the DOM` : 'n/a',
    '>= 250,000', ceiling.events_per_s >= 250000);
  row('3. Replay ceiling: client CPU us/event', fmt(ceiling.cpu_us_per_event, 2), '', '', '', null);
}

const decode = load('decode.json');
if (decode) {
  row('3. BatchGetItem page to events, one core, no I/O: events/s', fmt(decode.streaming_events_per_s),
    `DOM path: ${fmt(decode.dom_events_per_s)}`,
    `${fmt(decode.streaming_events_per_s / decode.dom_events_per_s, 2)}x the DOM path`, '', null);
}

compare('4. Append, DynamoDB Local', load('append-direct-evstore.json'),
  load('append-direct-adapter.json'), 1, 10);
compare('4. Append, 5 ms proxy', load('append-proxy-evstore.json'),
  load('append-proxy-adapter.json'), 1, 10);

const sigv4Text = fs.existsSync(path.join(dir, 'sigv4.txt'))
  ? fs.readFileSync(path.join(dir, 'sigv4.txt'), 'utf8') : '';
const signer = Number((sigv4Text.match(/sign: (\d+) ns/) || [])[1]);
const floor = Number((sigv4Text.match(/reused OpenSSL contexts\): (\d+) ns/) || [])[1]);
const smithy = load('sigv4-smithy.json');
if (signer && floor) {
  row('5. SigV4 sign, ns/signature (vs the hashing floor)', fmt(signer), `floor: ${fmt(floor)}`,
    `${fmt(signer / floor, 2)}x the floor`, '<= 2x the floor', signer / floor <= 2);
}
if (signer && smithy) {
  row('5. SigV4 sign, ns/signature (vs @smithy/signature-v4)', fmt(signer),
    fmt(smithy.ns_per_signature), `1/${fmt(smithy.ns_per_signature / signer, 1)}`, '', null);
}

const small = load('memory-small.json');
const large = load('memory-large.json');
if (small && large) {
  const growth = (large.peak_rss_kib - small.peak_rss_kib) / 1024;
  row(`6. Peak RSS replaying ${fmt(small.events)} vs ${fmt(large.events)} events, MiB`,
    `${fmt(small.peak_rss_kib / 1024, 1)} vs ${fmt(large.peak_rss_kib / 1024, 1)}`, '',
    `${growth < 0 ? '' : '+'}${fmt(growth, 1)} MiB`, '< 10 MB more', growth * 1024 * 1024 < 10e6);
}

console.log('| benchmark | evstore | adapter / reference | ratio | target | verdict |');
console.log('|---|---|---|---|---|---|');
for (const line of rows) console.log(line);

// 7. Append scaling: events/s by appends in flight.
const scaling = fs.readdirSync(dir).filter((f) => /^scaling-append-\d+\.json$/.test(f))
  .map((f) => load(f)).sort((x, y) => x.in_flight - y.in_flight);
if (scaling.length) {
  console.log('\n| appends in flight (5 ms proxy) | evstore events/s | client CPU us/event |');
  console.log('|---|---|---|');
  for (const s of scaling) {
    console.log(`| ${s.in_flight} | ${fmt(s.events_per_s)} | ${fmt(s.cpu_us_per_event, 1)} |`);
  }
  fs.writeFileSync(path.join(dir, 'scaling-append.dat'),
    scaling.map((s) => `${s.in_flight} ${s.events_per_s}`).join('\n') + '\n');
}

// Replay scaling through the 5 ms proxy: events/s by months read at once (K), slices a month
// (S) and prefetch depth (D), each varied with the others at the defaults (4, 8, 4).
const replayScaling = fs.readdirSync(dir)
  .filter((f) => /^scaling-replay-k\d+-s\d+-p\d+\.json$/.test(f))
  .map((f) => load(f))
  .sort((x, y) => x.parallel_buckets - y.parallel_buckets || x.month_slices - y.month_slices
    || x.prefetch_pages - y.prefetch_pages);
if (replayScaling.length) {
  const adapterProxy = replayProxy[1];
  console.log('\n| replay, 5 ms proxy: months at once (K) | slices a month (S) | prefetch pages (D) |'
    + " evstore events/s | x the adapter's | client CPU us/event |");
  console.log('|---|---|---|---|---|---|');
  for (const s of replayScaling) {
    const ratio = adapterProxy ? `${fmt(s.events_per_s / adapterProxy.events_per_s, 2)}x` : 'n/a';
    console.log(`| ${s.parallel_buckets} | ${s.month_slices} | ${s.prefetch_pages} | `
      + `${fmt(s.events_per_s)} | ${ratio} | ${fmt(s.cpu_us_per_event, 1)} |`);
  }
  const series = (varied, fixed) => new Map(replayScaling
    .filter((s) => Object.entries(fixed).every(([k, v]) => s[k] === v))
    .map((s) => [s[varied], s]));
  const dat = (m) => [...m.entries()].sort((x, y) => x[0] - y[0])
    .map(([x, s]) => `${x} ${s.events_per_s}`).join('\n') + '\n';
  fs.writeFileSync(path.join(dir, 'scaling-replay-buckets.dat'),
    dat(series('parallel_buckets', { month_slices: 8, prefetch_pages: 4 })));
  fs.writeFileSync(path.join(dir, 'scaling-replay-slices.dat'),
    dat(series('month_slices', { parallel_buckets: 4, prefetch_pages: 4 })));
  fs.writeFileSync(path.join(dir, 'scaling-replay-prefetch.dat'),
    dat(series('prefetch_pages', { parallel_buckets: 4, month_slices: 8 })));
}

// Events/s over time: the rate between timeline points at least `step` seconds apart.
function rateOverTime(run) {
  const timeline = run ? run.timeline : [];
  if (!timeline || timeline.length < 2) return '';
  const step = Math.max(0.05, timeline[timeline.length - 1][0] / 50);
  const lines = [];
  let [t0, n0] = [0, 0];
  for (const [t, n] of timeline) {
    if (t - t0 < step) continue;
    lines.push(`${((t + t0) / 2).toFixed(3)} ${((n - n0) / (t - t0)).toFixed(1)}`);
    [t0, n0] = [t, n];
  }
  return lines.join('\n') + '\n';
}
for (const [name, [e, a]] of [['direct', replayDirect], ['proxy', replayProxy]]) {
  fs.writeFileSync(path.join(dir, `replay-${name}-evstore.dat`), rateOverTime(e));
  fs.writeFileSync(path.join(dir, `replay-${name}-adapter.dat`), rateOverTime(a));
}

// --- every target of issue 15, from this run ------------------------------------------------------
const issueRows = [];
function target(what, measured, reference, ratio, wanted, ok) {
  issueRows.push(`| ${what} | ${measured} | ${reference} | ${ratio} | ${wanted} | ${verdict(ok)} |`);
}
const missing = 'not measured in this run';

if (ceiling) {
  target('Replay ceiling: events/s, one core, 1 KB events, page 100, memoizing proxy without delay',
    fmt(ceiling.events_per_s), '', '', '>= 250,000', ceiling.events_per_s >= 250000);
  target('Replay ceiling: client CPU us/event', fmt(ceiling.cpu_us_per_event, 2), '', '', '<= 4',
    ceiling.cpu_us_per_event <= 4);
  target('Replay ceiling against the Boost.JSON DOM of the same responses (events/s)',
    fmt(ceiling.events_per_s), dom ? `DOM: ${fmt(dom.events_per_s)}` : missing,
    dom ? `${fmt(ceiling.events_per_s / dom.events_per_s, 2)}x` : 'n/a', '>= 1x the DOM',
    dom ? ceiling.events_per_s >= dom.events_per_s : null);
  if (dom) {
    // The DOM figure is CPU time; on a shared machine the ceiling's wall-clock rate is also
    // bound by the share of the core it gets, so compare CPU per event too.
    const domUs = (dom.cpu_seconds * 1e6) / dom.events;
    target('Replay ceiling against the Boost.JSON DOM, CPU per event (us)',
      fmt(ceiling.cpu_us_per_event, 2), `DOM: ${fmt(domUs, 2)}`,
      `${fmt(domUs / ceiling.cpu_us_per_event, 2)}x`, '>= 1x the DOM', domUs >= ceiling.cpu_us_per_event);
  }
} else {
  target('Replay ceiling', missing, '', '', '>= 250,000 events/s, <= 4 us/event, >= the DOM', null);
}
target('Per-event budget of the ceiling (profile)', 'docs/benchmarks.md', '', '', 'a table', null);

function cpuTarget(what, e, a, times) {
  if (!e || !a) {
    target(what, missing, '', '', `<= 1/${times} of the adapter's`, null);
    return;
  }
  const ePer = e.cpu_us_per_event ?? (e.cpu_seconds * 1e6) / e.events;
  const aPer = a.cpu_us_per_event ?? (a.cpu_seconds * 1e6) / a.events;
  target(what, `${fmt(ePer, 2)} us/event`, `adapter: ${fmt(aPer, 2)}`, `1/${fmt(aPer / ePer, 1)}`,
    `<= 1/${times} of the adapter's`, aPer / ePer >= times);
}
cpuTarget('Replay client CPU, DynamoDB Local', ...replayDirect, 20);
cpuTarget('Replay client CPU, 5 ms memoizing proxy', ...replayProxy, 20);
const toolE = load('tool-evstore.json');
const toolA = load('tool-adapter.json');
cpuTarget(`\`evstore replay\` tool (JSON Lines) process CPU, start-up included, ${toolE ? fmt(toolE.events) : '?'} events`,
  toolE, toolA, 12);

const scale = fs.readdirSync(dir).filter((f) => /^scale-\d+\.json$/.test(f)).map((f) => load(f))
  .sort((x, y) => x.events - y.events);
for (const s of scale) {
  target(`Scale, synthetic DynamoDB, ${fmt(s.events)} events: events/s, peak RSS`,
    `${fmt(s.events_per_s)}, ${fmt(s.peak_rss_kib / 1024, 1)} MiB`,
    '', `${fmt(s.cpu_us_per_event, 2)} us/event`, 'reported', null);
}
if (scale.length) {
  fs.writeFileSync(path.join(dir, 'scale.dat'), scale
    .map((s) => `${s.events} ${s.events_per_s} ${(s.peak_rss_kib / 1024).toFixed(1)}`).join('\n') + '\n');
}
if (scale.length >= 2) {
  const rss = scale.map((s) => s.peak_rss_kib);
  const spread = (Math.max(...rss) - Math.min(...rss)) * 1024;
  target(`Scale: peak RSS from ${fmt(scale[0].events)} to ${fmt(scale[scale.length - 1].events)} events`,
    `${fmt(spread / 1e6, 1)} MB apart`, '', '', 'under 10 MB apart', spread < 10e6);
  // Read-ahead holds up to K x S x D pages; a small table's slices hold fewer pages than D, so
  // its replay never fills it: the spread from the first size whose read-ahead is full, too.
  const full = scale.filter((s) => s.events >= 100000);
  if (full.length >= 2 && full.length < scale.length) {
    const fullRss = full.map((s) => s.peak_rss_kib);
    const fullSpread = (Math.max(...fullRss) - Math.min(...fullRss)) * 1024;
    target(`Scale: peak RSS from ${fmt(full[0].events)} to ${fmt(full[full.length - 1].events)} events (read-ahead full)`,
      `${fmt(fullSpread / 1e6, 1)} MB apart`, '', '', 'under 10 MB apart', fullSpread < 10e6);
  }
  const largest = scale[scale.length - 1];
  target(`Scale: replay of ${fmt(largest.events)} events runs in minutes`,
    `${fmt(largest.seconds, 0)} s (client CPU ${fmt(largest.cpu_seconds, 0)} s)`,
    '', '', 'minutes (under 20)', largest.seconds < 20 * 60);
} else {
  target('Scale: peak RSS flat, 10^4 to 10^7 events', missing, '', '', 'under 10 MB apart', null);
}
const one = load('threads-1.json');
const two = load('threads-2.json');
if (one && two) {
  target(`Scale: ${fmt(one.events)} events on 1 and 2 threads (an io_context and repo each): events/s`,
    `${fmt(one.events_per_s)} / ${fmt(two.events_per_s)}`, '',
    `${fmt(two.events_per_s / one.events_per_s, 2)}x`, 'reported', null);
} else {
  target('Scale: events/s on 1 and 2 threads', missing, '', '', 'reported', null);
}

const appendE = load('append-direct-evstore.json');
const appendA = load('append-direct-adapter.json');
cpuTarget('Append client CPU, DynamoDB Local', appendE, appendA, 20);
if (appendE && appendA) {
  target('Append events/s, DynamoDB Local', fmt(appendE.events_per_s),
    `adapter: ${fmt(appendA.events_per_s)}`, `${fmt(appendE.events_per_s / appendA.events_per_s, 2)}x`,
    "at least the adapter's", appendE.events_per_s >= appendA.events_per_s);
} else {
  target('Append events/s, DynamoDB Local', missing, '', '', "at least the adapter's", null);
}
target('streamIndex alternatives: cost per million events appended and replayed',
  'docs/operations.md', '', '', 'measured and chosen', null);
target('Replay through a sustained 30 % fault rate finishes exactly', 'scripts/test', '', '',
  'in ./scripts/test', null);

// Rows other benchmarks put in their results ("targets" arrays).
for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const figures = load(file);
  if (!figures || !Array.isArray(figures.targets)) continue;
  for (const t of figures.targets) {
    target(t.what, t.measured ?? '', t.reference ?? '', t.ratio ?? '', t.target ?? '',
      t.met === undefined ? null : t.met);
  }
}

console.log('\n### Issue #15: every target, this run\n');
console.log('| target | measured | reference (same run) | ratio | wanted | verdict |');
console.log('|---|---|---|---|---|---|');
for (const line of issueRows) console.log(line);
