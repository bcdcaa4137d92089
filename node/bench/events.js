'use strict';
// The benchmarks' events, as bench/support/bench_events.hpp builds them for evstore: stream s is
// ("bench", "stream-<s>"), its k-th event has a JSON payload of a fixed size.

// {"n":k,"stream":s,"text":"..."} padded with letters to `bytes` when serialised.
function payload(stream, k, bytes) {
  const fixed = `{"n":${k},"stream":${stream},"text":""}`.length;
  let text = '';
  for (let i = 0; fixed + i < bytes; ++i) {
    text += String.fromCharCode(97 + ((i * 7 + k + stream) % 26));
  }
  return { n: k, stream, text };
}

function benchEvent(stream, k, payloadBytes) {
  return {
    domain: 'bench',
    identifier: `stream-${stream}`,
    type: 'step',
    payload: payload(stream, k, payloadBytes),
  };
}

module.exports = { benchEvent };
