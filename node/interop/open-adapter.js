'use strict';
// Opens the published TypeScript adapter against the local servers, after the one fix its
// published build needs to store events at all.

const path = require('path');
const { DynamoDBClient } = require('@aws-sdk/client-dynamodb');
const { S3Client } = require('@aws-sdk/client-s3');

// The 5.0.0 build calls `require('object-sizeof').default(...)`, but object-sizeof 1.x exports
// the function itself. Give the module object the `.default` the adapter looks for; both share
// Node's module cache, so the adapter sees it. Nothing on disk changes.
function patchObjectSizeof() {
  const adapterDir = path.dirname(
    require.resolve('@schemeless/event-store-adapter-dynamodb/package.json'));
  const sizeof = require(require.resolve('object-sizeof', { paths: [adapterDir] }));
  if (typeof sizeof.default !== 'function') sizeof.default = sizeof;
}

function openAdapter() {
  patchObjectSizeof();
  const { EventStoreRepo } = require('@schemeless/event-store-adapter-dynamodb');
  // Local servers ignore credentials; fixed dummy ones keep the SDK from searching for real ones.
  const common = {
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  };
  const dynamodb = new DynamoDBClient({
    ...common,
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB || 'http://127.0.0.1:8000',
  });
  const s3 = new S3Client({
    ...common,
    endpoint: process.env.AWS_ENDPOINT_URL_S3 || 'http://127.0.0.1:4566',
    forcePathStyle: true,
  });
  const repo = new EventStoreRepo(dynamodb, s3, {
    tableNamePrefix: process.env.EVSTORE_TABLE_PREFIX || '',
    s3BucketName: process.env.EVSTORE_S3_BUCKET || 'evstore-interop',
  });
  return {
    repo,
    close() {
      dynamodb.destroy();
      s3.destroy();
    },
  };
}

module.exports = { openAdapter };
