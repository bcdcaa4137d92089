#!/usr/bin/env bash
# Re-records the BatchGetItem responses that test/unit/store/batch_get_events.cpp decodes, from
# DynamoDB Local: event items of the shared table layout with every optional attribute, an
# offloaded payload, nested meta, escapes and non-ASCII text in payloads, and an item of another
# shape. Writes batch_get_events.request.json and batch_get_events.response.json.
set -euo pipefail
cd "$(dirname "$0")"
url=${EVSTORE_TEST_DYNAMODB_URL:-http://127.0.0.1:8000}
table=evstore-recorded-events

post() {  # post OPERATION BODY: prints the response body
  curl -s -X POST "$url/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: DynamoDB_20120810.$1" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    --data-binary "$2"
}

post DeleteTable '{"TableName":"'$table'"}' >/dev/null
post CreateTable '{"TableName":"'$table'","AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"created","AttributeType":"S"}],"KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"created","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST"}' >/dev/null
put() { post PutItem '{"TableName":"'$table'","Item":'"$1"'}' >/dev/null; }
put '{"id":{"S":"EventID#e1"},"created":{"S":"2026-03-01T10:00:00.001Z"},"timeBucket":{"S":"2026-03"},"stream":{"S":"account::42"},"domain":{"S":"account"},"identifier":{"S":"42"},"type":{"S":"opened"},"payload":{"S":"{\"owner\":\"ada\",\"limit\":100}"},"sequence":{"N":"1"}}'
put '{"id":{"S":"EventID#e2"},"created":{"S":"2026-03-01T10:00:00.002Z"},"timeBucket":{"S":"2026-03"},"stream":{"S":"account::42"},"domain":{"S":"account"},"identifier":{"S":"42"},"type":{"S":"renamed"},"correlationId":{"S":"c-1"},"causationId":{"S":"e1"},"payload":{"S":"{\"name\":\"Ad\\\\u00e9 \\\"the\\\" \\u00e9\\u4e2d\\ud83d\\ude00\",\"tab\":\"a\\tb\\nc\"}"},"meta":{"M":{"user":{"S":"u-7"},"n":{"N":"-1.5e3"},"deep":{"M":{"ok":{"BOOL":true},"nil":{"NULL":true},"list":{"L":[{"N":"1"},{"S":"x"}]}}}}},"sequence":{"N":"2"}}'
put '{"id":{"S":"EventID#e3"},"created":{"S":"2026-03-01T10:00:00.003Z"},"timeBucket":{"S":"2026-03"},"stream":{"S":"blob::7"},"domain":{"S":"blob"},"identifier":{"S":"7"},"type":{"S":"stored"},"s3Reference":{"S":"evstore-bucket::events/e3.json"},"sequence":{"N":"1"}}'
put '{"id":{"S":"EventID#e4"},"created":{"S":"2026-03-01T10:00:00.004Z"},"timeBucket":{"S":"2026-03"},"domain":{"S":"legacy"},"type":{"S":"written by the adapter"},"payload":{"S":"[1,2.5,null,true]"},"meta":{"NULL":true},"extra":{"SS":["a","b"]},"blob":{"B":"AAEC/w=="}}'
keys='{"id":{"S":"EventID#e1"},"created":{"S":"2026-03-01T10:00:00.001Z"}},{"id":{"S":"EventID#e2"},"created":{"S":"2026-03-01T10:00:00.002Z"}},{"id":{"S":"EventID#e3"},"created":{"S":"2026-03-01T10:00:00.003Z"}},{"id":{"S":"EventID#e4"},"created":{"S":"2026-03-01T10:00:00.004Z"}},{"id":{"S":"EventID#missing"},"created":{"S":"2026-03-01T10:00:00.005Z"}}'
request='{"RequestItems":{"'$table'":{"Keys":['$keys'],"ConsistentRead":true}},"ReturnConsumedCapacity":"TOTAL"}'
printf '%s' "$request" > batch_get_events.request.json
post BatchGetItem "$request" > batch_get_events.response.json
post DeleteTable '{"TableName":"'$table'"}' >/dev/null
