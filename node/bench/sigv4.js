'use strict';
// Time for @smithy/signature-v4 (the AWS SDK for JavaScript's signer, with the SDK's Node.js
// SHA-256 from @smithy/core) to sign the typical DynamoDB request bench/sigv4.cpp signs.
//
//   node sigv4.js [--json FILE]

const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/core/serde');
const { numberOption, textOption, writeJson } = require('./options');

const iterations = 2000;
const runs = 30;

const body =
  '{"TableName":"prod-events","IndexName":"bucket-index","KeyConditionExpression":' +
  '"#b = :b AND #t > :t","ExpressionAttributeNames":{"#b":"bucket","#t":"time"},' +
  '"ExpressionAttributeValues":{":b":{"S":"2024-03-01T10"},":t":{"N":"1709287200000"}},' +
  '"Limit":100,"ConsistentRead":false,"ScanIndexForward":true,"ReturnConsumedCapacity":"NONE"}';

function request() {
  return {
    method: 'POST',
    protocol: 'https:',
    hostname: 'dynamodb.us-east-1.amazonaws.com',
    path: '/',
    query: {},
    headers: {
      host: 'dynamodb.us-east-1.amazonaws.com',
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.Query',
    },
    body,
  };
}

// CPU time of this single-threaded process, like bench_sigv4's thread CPU time.
function cpuNs() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
}

async function main() {
  const args = process.argv.slice(2);
  const count = numberOption(args, '--iterations', iterations);
  const signer = new SignatureV4({
    service: 'dynamodb',
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    },
    sha256: Hash.bind(null, 'sha256'),
  });
  const now = Date.now();
  let best = Infinity;
  for (let run = 0; run < runs; ++run) {
    const start = cpuNs();
    for (let i = 0; i < count; ++i) {
      await signer.sign(request(), { signingDate: new Date(now + i) });
    }
    best = Math.min(best, (cpuNs() - start) / count);
  }
  console.log(`@smithy/signature-v4 5.7.5 sign: ${best.toFixed(0)} ns/signature ` +
    `(process CPU time, best of ${runs} runs of ${count}; includes building the request object)`);
  writeJson(textOption(args, '--json', ''), {
    label: '@smithy/signature-v4 sign', ns_per_signature: best, runs, iterations: count,
  });
}

main().catch((error) => {
  console.error(`sigv4.js: ${error.message}`);
  process.exit(1);
});
