#!/usr/bin/env node
// Writes the seed corpora fuzz/corpus/<target>/ from the recorded responses in test/data (and,
// for the event targets, events in the shared table layout, which no recording holds).
// Run from anywhere: node fuzz/make-corpus.js. Output is deterministic; it is committed.
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const root = path.resolve(__dirname, '..');
const data = path.join(root, 'test', 'data');
const corpus = path.join(__dirname, 'corpus');

function write(target, name, content) {
  const dir = path.join(corpus, target);
  fs.mkdirSync(dir, {recursive: true});
  fs.writeFileSync(path.join(dir, name), content);
}
const digest = (text) => crypto.createHash('sha1').update(text).digest('hex').slice(0, 12);
const list = (dir, suffix) =>
  fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));

fs.rmSync(corpus, {recursive: true, force: true});

// --- DynamoDB: whole bodies, and the items and attribute values inside them.
const dynamodb = path.join(data, 'dynamodb');
const items = new Map();
const values = new Map();
function collect(json) {
  if (Array.isArray(json)) return json.forEach(collect);
  if (json === null || typeof json !== 'object') return;
  for (const [name, member] of Object.entries(json)) {
    const isItem = ['Item', 'Attributes', 'Key', 'LastEvaluatedKey', 'ExclusiveStartKey',
                    'ExpressionAttributeValues'].includes(name);
    if (isItem) addItem(member);
    if (['Items', 'Keys'].includes(name) && Array.isArray(member)) member.forEach(addItem);
    if (name === 'Responses' && member && typeof member === 'object')
      Object.values(member).forEach((table) => Array.isArray(table) && table.forEach(addItem));
    collect(member);
  }
}
function addItem(item) {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return;
  const text = JSON.stringify(item);
  items.set(digest(text), text);
  for (const value of Object.values(item)) {
    const valueText = JSON.stringify(value);
    values.set(digest(valueText), valueText);
  }
}
for (const file of [...list(dynamodb, '.response.json'), ...list(dynamodb, '.request.json')]) {
  const body = fs.readFileSync(file, 'utf8');
  const base = path.basename(file, '.json');
  if (file.endsWith('.response.json')) write('dynamodb_responses', base, body);
  if (body.trim()) collect(JSON.parse(body));
}
for (const [name, text] of items) write('attribute_value', 'item-' + name, text);
for (const [name, text] of values) write('attribute_value', 'value-' + name, text);
write('attribute_value', 'document-query-page', fs.readFileSync(
    path.join(dynamodb, 'query_page.response.json')));

// --- Event items in the shared table layout (include/evstore/store/item_codec.hpp).
const S = (s) => ({S: s});
const N = (n) => ({N: String(n)});
const eventItems = {
  full: {id: S('EventID#0f1e'), created: S('2024-05-01T12:34:56.789Z'), timeBucket: S('2024-05'),
         domain: S('order'), type: S('placed'), identifier: S('o-9'),
         payload: S('{"total":12.5,"lines":[1,2]}'),
         meta: {M: {big: N('123456789012345678901234567890'), flag: {BOOL: true},
                    nested: {M: {k: {NULL: true}}}, tags: {L: [S('a'), N('-1.5e3')]}}},
         correlationId: S('c-1'), causationId: S('x-1'), sequence: N(3)},
  minimal: {id: S('EventID#i'), created: S('1970-01-01T00:00:00.000Z'), timeBucket: S('1970-01'),
            domain: S('d'), type: S('t'), payload: S('null'), sequence: N(1)},
  offloaded: {id: S('EventID#big-1'), created: S('2024-12-31T23:59:59.999Z'),
              timeBucket: S('2024-12'), domain: S('doc'), type: S('uploaded'),
              identifier: S('doc-7'), s3Reference: S('evstore-payloads::events/big-1.json'),
              sequence: N(12)},
  unicode: {id: S('EventID#ü-✓'), created: S('2030-02-28T08:00:00.001Z'),
            timeBucket: S('2030-02'), domain: S('dömain'), type: S('typ€'),
            payload: S('{"text":"\\u00e9\\ud83d\\ude00","n":-0.0}'), sequence: N(9007199254740993)},
  head: {id: S('EventID#HEAD::order::o-9'), created: S('HEAD'), version: N(3)},
};
for (const [name, item] of Object.entries(eventItems))
  write('event_item', name, JSON.stringify(item));
for (const [name, text] of items) write('event_item', 'recorded-' + name, text);

// --- Events as JSON (the S3 object of an offloaded event, the tool's JSON Lines).
const events = {
  full: {id: '0f1e', domain: 'order', type: 'placed', identifier: 'o-9',
         payload: {total: 12.5, lines: [1, 2]}, meta: {flag: true, nested: {k: null}},
         correlationId: 'c-1', causationId: 'x-1', created: '2024-05-01T12:34:56.789Z',
         sequence: 3},
  minimal: {domain: 'd', type: 't', payload: null},
  nulls: {id: null, domain: 'd', type: 't', identifier: null, payload: [], meta: null,
          correlationId: null, causationId: null, created: null, sequence: null},
  unicode: {id: 'ü', domain: 'dömain', type: 'typ€', payload: 'é😀\n\t"', sequence: 1},
};
for (const [name, e] of Object.entries(events)) write('event_json', name, JSON.stringify(e));
write('event_json', 'multiline-payload',
      '{"domain":"d","type":"t","payload":{\n  "a": [1,\n 2]\n},"meta":{ "m" : 1 }}');

// --- S3: whole responses as recorded on the wire, and their XML bodies.
const s3 = path.join(data, 's3');
for (const server of fs.readdirSync(s3).sort()) {
  const dir = path.join(s3, server);
  if (!fs.statSync(dir).isDirectory()) continue;
  for (const file of list(dir, '.http')) {
    const raw = fs.readFileSync(file);
    const name = server + '-' + path.basename(file, '.http');
    write('s3_response', name, raw);
    write('http_response', name, raw);
    const text = raw.toString('latin1');
    const split = text.search(/\r?\n\r?\n/);
    const body = split < 0 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
    if (body.includes('<')) write('s3_xml', name, Buffer.from(body, 'latin1'));
  }
}

// --- DynamoDB responses as on the wire: recorded status line and headers, then the body.
for (const file of list(dynamodb, '.headers')) {
  const base = path.basename(file, '.headers');
  const head = fs.readFileSync(file, 'utf8').trim().split(/\r?\n/);
  const body = fs.readFileSync(path.join(dynamodb, base + '.response.json'));
  const lines = [...head, 'Content-Type: application/x-amz-json-1.0',
                 'Content-Length: ' + body.length];
  write('http_response', 'dynamodb-' + base,
        Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n'), body]));
}
write('http_response', 'chunked-continue',
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n' +
      'Connection: keep-alive\r\n\r\n5\r\nhello\r\n0\r\nTrailer: x\r\n\r\n');
write('http_response', 'until-close', 'HTTP/1.0 404 Not Found\r\n\r\n<Error/>');
