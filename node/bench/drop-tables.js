'use strict';
// Deletes the DynamoDB Local tables whose names start with a prefix (a benchmark run's tables).
//
//   node drop-tables.js PREFIX

const { DynamoDBClient, ListTablesCommand, DeleteTableCommand } =
  require('@aws-sdk/client-dynamodb');

async function main() {
  const prefix = process.argv[2];
  if (!prefix) throw new Error('usage: node drop-tables.js PREFIX');
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB ||
      `http://127.0.0.1:${process.env.EVSTORE_DYNAMODB_PORT || 8000}`,
  });
  try {
    let start;
    const names = [];
    // Bounded: DynamoDB Local holds far fewer than 100 pages of 100 tables.
    for (let page = 0; page < 100; ++page) {
      const listed = await client.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(listed.TableNames || []).filter((name) => name.startsWith(prefix)));
      start = listed.LastEvaluatedTableName;
      if (!start) break;
    }
    for (const name of names) await client.send(new DeleteTableCommand({ TableName: name }));
    console.log(`drop-tables: deleted ${names.length} tables starting with ${prefix}`);
  } finally {
    client.destroy();
  }
}

main().catch((error) => {
  console.error(`drop-tables.js: ${error.message}`);
  process.exit(1);
});
