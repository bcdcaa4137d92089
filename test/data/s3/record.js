// Records raw HTTP responses of the local S3 servers into test/data/s3/<server>/<step>.http,
// for the s3 layer's response-parsing unit tests. Not run by the build or the tests; rerun by
// hand when a server version changes:
//
//   NODE_PATH=node/node_modules node test/data/s3/record.js            (from the source root)
//
// Requests are signed with @smithy/signature-v4 (credentials S3RVER/S3RVER, which fauxqs
// ignores and s3rver requires). Each file is the status line, the headers as received and the
// body, with CRLF line ends as on the wire.
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');

const servers = {
  fauxqs: { host: '127.0.0.1', port: 4566 },
  s3rver: { host: '127.0.0.1', port: 4570 },
};
const bucket = 'evstore-recorded';
const mib = 1024 * 1024;

function encode(text, keepSlash) {
  return Array.from(Buffer.from(text, 'utf8'))
    .map((b) => {
      const c = String.fromCharCode(b);
      if (/[A-Za-z0-9\-._~]/.test(c) || (keepSlash && c === '/')) return c;
      return '%' + b.toString(16).toUpperCase().padStart(2, '0');
    })
    .join('');
}

async function send(server, step, secret = 'S3RVER') {
  const { host, port } = servers[server];
  const body = step.body ?? '';
  const headers = { host: `${host}:${port}`, ...(step.headers ?? {}) };
  if (step.md5) headers['content-md5'] = crypto.createHash('md5').update(body).digest('base64');
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: secret },
    region: 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
  const query = step.query ?? {};
  const signed = await signer.sign({
    method: step.method, protocol: 'http:', hostname: host, port, path: step.path, query,
    headers, body,
  });
  const queryText = Object.entries(query)
    .map(([k, v]) => (v === '' ? encode(k) : `${encode(k)}=${encode(v)}`))
    .join('&');
  const target = step.path + (queryText ? `?${queryText}` : '');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method: step.method, path: target, headers: signed.headers },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      });
    req.on('error', reject);
    req.end(body);
  });
}

async function record(server, name, step, secret) {
  const { res, body } = await send(server, step, secret);
  let head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n`;
  for (let i = 0; i < res.rawHeaders.length; i += 2)
    head += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
  const dir = path.join(__dirname, server);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.http`), Buffer.concat([Buffer.from(head + '\r\n'), body]));
  console.log(`${server}/${name}: ${res.statusCode}`);
  return { res, body: body.toString('utf8') };
}

// No "../" key: s3rver stores objects as files and such a key escapes the bucket's folder.
const oddKeys = ['dir/a b+c%d#e?f', 'dir/caf\u00e9 \u65e5\u672c', 'dir/x&y<z>"\''];

async function recordServer(server) {
  const obj = (key) => `/${bucket}/${encode(key, true)}`;
  // Start clean: a previous run may have left the bucket behind. (Not by listing it: s3rver
  // escapes listed keys twice.)
  for (const key of [...oddKeys, 'hello.txt', 'empty', 'big', 'small'])
    await send(server, { method: 'DELETE', path: obj(key) });
  await send(server, { method: 'DELETE', path: `/${bucket}` });

  await record(server, 'head_bucket_missing', { method: 'HEAD', path: `/${bucket}` });
  await record(server, 'create_bucket', { method: 'PUT', path: `/${bucket}` });
  await record(server, 'create_bucket_again', { method: 'PUT', path: `/${bucket}` });
  await record(server, 'head_bucket', { method: 'HEAD', path: `/${bucket}` });
  await record(server, 'put_object', {
    method: 'PUT', path: obj('hello.txt'), body: 'hello, world',
    headers: { 'content-type': 'text/plain', 'x-amz-acl': 'private' },
  });
  // fauxqs fails (500) on a body without a content type it can read, so always send one.
  await record(server, 'put_object_empty', {
    method: 'PUT', path: obj('empty'), body: '', headers: { 'content-type': 'application/octet-stream' },
  });
  await record(server, 'get_object', { method: 'GET', path: obj('hello.txt') });
  await record(server, 'get_object_range', {
    method: 'GET', path: obj('hello.txt'), headers: { range: 'bytes=0-4' },
  });
  await record(server, 'get_object_range_whole', {
    method: 'GET', path: obj('hello.txt'), headers: { range: 'bytes=0-1000' },
  });
  // s3rver answers a range of an empty object with "206, Content-Length: 1" and no body, and
  // the request hangs: only fauxqs (416, like AWS) is recorded.
  if (server === 'fauxqs') {
    await record(server, 'get_object_range_empty', {
      method: 'GET', path: obj('empty'), headers: { range: 'bytes=0-1000' },
    });
  }
  await record(server, 'get_object_missing', { method: 'GET', path: obj('missing') });
  await record(server, 'head_object', { method: 'HEAD', path: obj('hello.txt') });
  await record(server, 'head_object_missing', { method: 'HEAD', path: obj('missing') });
  for (const key of oddKeys) {
    await send(server, {
      method: 'PUT', path: obj(key), body: key, headers: { 'content-type': 'text/plain' },
    });
  }
  if (server === 'fauxqs') {
    await record(server, 'list_objects_v2_page1', {
      method: 'GET', path: `/${bucket}`,
      query: { 'list-type': '2', 'encoding-type': 'url', 'max-keys': '2', prefix: 'dir/' },
    });
    const token = /<NextContinuationToken>([^<]*)</.exec(
      fs.readFileSync(path.join(__dirname, server, 'list_objects_v2_page1.http'), 'utf8'))[1];
    await record(server, 'list_objects_v2_page2', {
      method: 'GET', path: `/${bucket}`,
      query: {
        'list-type': '2', 'encoding-type': 'url', 'max-keys': '2', prefix: 'dir/',
        'continuation-token': token,
      },
    });
  } else {
    // s3rver cannot page: its continuation tokens use DES, which OpenSSL 3 lacks (500).
    await record(server, 'list_objects_v2', {
      method: 'GET', path: `/${bucket}`,
      query: { 'list-type': '2', 'encoding-type': 'url', prefix: 'dir/' },
    });
  }
  await record(server, 'list_objects_v2_empty', {
    method: 'GET', path: `/${bucket}`, query: { 'list-type': '2', prefix: 'nothing/' },
  });
  await record(server, 'delete_object', { method: 'DELETE', path: obj('hello.txt') });
  await record(server, 'delete_objects', {
    method: 'POST', path: `/${bucket}`, query: { delete: '' }, md5: true,
    body: '<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      '<Quiet>false</Quiet>' +
      ['empty', 'dir/x&y<z>"\''].map((k) => `<Object><Key>${k.replace(/&/g, '&amp;')
        .replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
        .replace(/'/g, '&apos;')}</Key></Object>`).join('') + '</Delete>',
  });
  const created = await record(server, 'create_multipart_upload', {
    method: 'POST', path: obj('big'), query: { uploads: '' },
    headers: { 'content-type': 'application/octet-stream' },
  });
  const uploadId = /<UploadId>([^<]*)</.exec(created.body)[1];
  const part1 = await record(server, 'upload_part', {
    method: 'PUT', path: obj('big'), query: { partNumber: '1', uploadId }, body: 'a'.repeat(5 * mib),
    headers: { 'content-type': 'application/octet-stream' },
  });
  const part2 = await send(server, {
    method: 'PUT', path: obj('big'), query: { partNumber: '2', uploadId }, body: 'b',
    headers: { 'content-type': 'application/octet-stream' },
  });
  const complete = (parts) => '<CompleteMultipartUpload>' +
    parts.map(([n, etag]) => `<Part><PartNumber>${n}</PartNumber><ETag>${etag.replace(/"/g, '&quot;')}</ETag></Part>`).join('') +
    '</CompleteMultipartUpload>';
  await record(server, 'complete_multipart_upload', {
    method: 'POST', path: obj('big'), query: { uploadId },
    body: complete([[1, part1.res.headers.etag], [2, part2.res.headers.etag]]),
  });
  await record(server, 'abort_multipart_upload_unknown', {
    method: 'DELETE', path: obj('big'), query: { uploadId },
  });
  const small = /<UploadId>([^<]*)</.exec((await send(server, {
    method: 'POST', path: obj('small'), query: { uploads: '' },
  })).body.toString())[1];
  const s1 = await send(server, {
    method: 'PUT', path: obj('small'), query: { partNumber: '1', uploadId: small }, body: 'x'.repeat(1024),
    headers: { 'content-type': 'application/octet-stream' },
  });
  const s2 = await send(server, {
    method: 'PUT', path: obj('small'), query: { partNumber: '2', uploadId: small }, body: 'y',
    headers: { 'content-type': 'application/octet-stream' },
  });
  await record(server, 'complete_multipart_upload_too_small', {
    method: 'POST', path: obj('small'), query: { uploadId: small },
    body: complete([[1, s1.res.headers.etag], [2, s2.res.headers.etag]]),
  });
  await record(server, 'abort_multipart_upload', {
    method: 'DELETE', path: obj('small'), query: { uploadId: small },
  });
  await record(server, 'upload_part_no_such_upload', {
    method: 'PUT', path: obj('small'), query: { partNumber: '3', uploadId: small }, body: 'z',
    headers: { 'content-type': 'application/octet-stream' },
  });
  await record(server, 'no_such_bucket', {
    method: 'GET', path: '/evstore-recorded-missing', query: { 'list-type': '2' },
  });
  if (server === 's3rver') {
    await record(server, 'signature_does_not_match', { method: 'GET', path: obj('big') }, 'wrong');
  }
  for (const key of [...oddKeys, 'big', 'small', 'empty'])
    await send(server, { method: 'DELETE', path: obj(key) });
  await record(server, 'delete_bucket', { method: 'DELETE', path: `/${bucket}` });
}

(async () => {
  for (const server of Object.keys(servers)) await recordServer(server);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
