'use strict';
// Signs requests with the official JavaScript signer, @smithy/signature-v4, for the differential
// test test/integration/aws/sigv4_differential.cpp.
//
// usage: node sigv4_reference.js NODE_MODULES_DIR IN.json OUT.json
// IN.json: an array of {method, path, query, headers: [[name, value], ...], bodyHex, s3,
// unsignedPayload, region, service, host, accessKeyId, secretAccessKey, sessionToken, epochMs};
// `path` and `query` are the request target's parts as sent on the wire.
// OUT.json: the array of their Authorization header values, in the same order.

const fs = require('fs');
const path = require('path');

const [modulesDir, inputFile, outputFile] = process.argv.slice(2);
if (!outputFile) {
  console.error('usage: node sigv4_reference.js NODE_MODULES_DIR IN.json OUT.json');
  process.exit(2);
}
const { SignatureV4 } = require(path.join(modulesDir, '@smithy/signature-v4'));
const { Sha256 } = require(path.join(modulesDir, '@aws-crypto/sha256-js'));

// The wire query as the JavaScript SDK holds it: percent-decoded names and values ('+' stays a
// plus sign), a name without '=' has the empty value, a repeated name holds an array.
function parseQuery(text) {
  const query = Object.create(null);
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    if (!(name in query)) {
      query[name] = value;
    } else if (Array.isArray(query[name])) {
      query[name].push(value);
    } else {
      query[name] = [query[name], value];
    }
  }
  return query;
}

// A JavaScript header map holds one value a name, so repeated headers are joined here as SigV4
// specifies: each value trimmed and its whitespace runs folded (the signer's own rule), then
// joined with commas in request order.
function foldHeaders(list) {
  const headers = Object.create(null);
  for (const [name, value] of list) {
    const lower = name.toLowerCase();
    const folded = value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
    headers[lower] = lower in headers ? `${headers[lower]},${folded}` : folded;
  }
  return headers;
}

async function sign(r) {
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: r.accessKeyId,
      secretAccessKey: r.secretAccessKey,
      sessionToken: r.sessionToken || undefined,
    },
    region: r.region,
    service: r.service,
    sha256: Sha256,
    uriEscapePath: !r.s3,
    applyChecksum: r.s3,
  });
  const headers = { ...foldHeaders(r.headers), host: r.host };
  if (r.s3 && r.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.signRequest(
    {
      method: r.method,
      protocol: 'https:',
      hostname: r.host,
      path: r.path,
      query: { ...parseQuery(r.query) },
      headers,
      body: Buffer.from(r.bodyHex, 'hex'),
    },
    { signingDate: new Date(r.epochMs) },
  );
  return signed.headers.authorization;
}

async function main() {
  const requests = JSON.parse(fs.readFileSync(inputFile, 'utf8'));
  const authorizations = [];
  for (const r of requests) authorizations.push(await sign(r));
  fs.writeFileSync(outputFile, JSON.stringify(authorizations));
}

main().catch((e) => {
  console.error(`sigv4_reference.js: ${e.message}`);
  process.exit(1);
});
