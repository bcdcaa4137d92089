#!/usr/bin/env bash
# Re-records the request/response bodies the dynamodb unit tests parse, from DynamoDB Local
# (scripts/emulators start). For each NAME: NAME.request.json (the body sent),
# NAME.response.json (the body received) and NAME.headers (status line and x-amz-crc32).
# Bodies named malformed_* and error_*_lowercase.json are written by hand, not by this script.
set -euo pipefail
cd "$(dirname "$0")"
url=${EVSTORE_TEST_DYNAMODB_URL:-http://127.0.0.1:8000}
table=evstore-recorded

call() {  # call NAME OPERATION BODY
  local name=$1 operation=$2 body=$3
  printf '%s' "$body" > "$name.request.json"
  curl -s -o "$name.response.json" -D "$name.raw-headers" -X POST "$url/" \
    -H 'Content-Type: application/x-amz-json-1.0' \
    -H "X-Amz-Target: DynamoDB_20120810.$operation" \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    --data-binary "@$name.request.json"
  { head -n 1 "$name.raw-headers" | tr -d '\r'; grep -i '^x-amz-crc32:' "$name.raw-headers" | tr -d '\r' || true; } \
    > "$name.headers"
  rm -f "$name.raw-headers"
}

drop() {  # deletes the table if present, without recording
  curl -s -o /dev/null -X POST "$url/" -H 'Content-Type: application/x-amz-json-1.0' \
    -H 'X-Amz-Target: DynamoDB_20120810.DeleteTable' \
    -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0' \
    --data-binary "{\"TableName\":\"$table\"}"
}

drop
call create_table CreateTable '{"TableName":"'$table'","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"kind","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"BillingMode":"PAY_PER_REQUEST","GlobalSecondaryIndexes":[{"IndexName":"by_kind","KeySchema":[{"AttributeName":"kind","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}]}'
call describe_table DescribeTable '{"TableName":"'$table'"}'
call put_item PutItem '{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"1"},"kind":{"S":"created"},"payload":{"B":"AAEC/w=="},"big":{"N":"12345678901234567890123456789012345678"},"tags":{"SS":["a","b"]},"nums":{"NS":["1","2.5"]},"blobs":{"BS":["AA==","AQ=="]},"flag":{"BOOL":true},"nothing":{"NULL":true},"meta":{"M":{"who":{"S":"me"},"list":{"L":[{"N":"-1.5e3"},{"S":""}]}}}},"ConditionExpression":"attribute_not_exists(#pk)","ExpressionAttributeNames":{"#pk":"pk"},"ReturnConsumedCapacity":"TOTAL"}'
call put_item_all_old PutItem '{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"2"},"kind":{"S":"renamed"}},"ReturnValues":"ALL_OLD"}'
call put_item_replace PutItem '{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"2"},"kind":{"S":"renamed"},"name":{"S":"second"}},"ReturnValues":"ALL_OLD"}'
call error_conditional_check_failed PutItem '{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}'
call error_conditional_check_failed_item PutItem '{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}'
call get_item GetItem '{"TableName":"'$table'","Key":{"pk":{"S":"stream-1"},"sk":{"N":"1"}},"ConsistentRead":true,"ReturnConsumedCapacity":"INDEXES"}'
call get_item_projection GetItem '{"TableName":"'$table'","Key":{"pk":{"S":"stream-1"},"sk":{"N":"1"}},"ProjectionExpression":"#k, meta.who","ExpressionAttributeNames":{"#k":"kind"}}'
call get_item_missing GetItem '{"TableName":"'$table'","Key":{"pk":{"S":"stream-9"},"sk":{"N":"1"}}}'
call update_item UpdateItem '{"TableName":"'$table'","Key":{"pk":{"S":"stream-1"},"sk":{"N":"2"}},"UpdateExpression":"SET #n = :n ADD version :one","ConditionExpression":"attribute_exists(pk)","ExpressionAttributeNames":{"#n":"name"},"ExpressionAttributeValues":{":n":{"S":"third"},":one":{"N":"1"}},"ReturnValues":"ALL_NEW","ReturnConsumedCapacity":"TOTAL"}'
call query_page Query '{"TableName":"'$table'","KeyConditionExpression":"pk = :pk AND sk >= :from","ExpressionAttributeValues":{":pk":{"S":"stream-1"},":from":{"N":"1"}},"Limit":1,"ConsistentRead":true,"ReturnConsumedCapacity":"TOTAL"}'
call query_last_page Query '{"TableName":"'$table'","KeyConditionExpression":"pk = :pk AND sk >= :from","FilterExpression":"#k <> :skip","ProjectionExpression":"pk, sk, #k","ExpressionAttributeNames":{"#k":"kind"},"ExpressionAttributeValues":{":pk":{"S":"stream-1"},":from":{"N":"1"},":skip":{"S":"none"}},"Limit":5,"ExclusiveStartKey":{"pk":{"S":"stream-1"},"sk":{"N":"2"}},"ScanIndexForward":false}'
call query_index Query '{"TableName":"'$table'","IndexName":"by_kind","KeyConditionExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"created"}}}'
call batch_get_item BatchGetItem '{"RequestItems":{"'$table'":{"Keys":[{"pk":{"S":"stream-1"},"sk":{"N":"1"}},{"pk":{"S":"stream-1"},"sk":{"N":"2"}},{"pk":{"S":"stream-9"},"sk":{"N":"1"}}],"ConsistentRead":true,"ProjectionExpression":"pk, sk, #k","ExpressionAttributeNames":{"#k":"kind"}}},"ReturnConsumedCapacity":"TOTAL"}'
call transact_write_items TransactWriteItems '{"TransactItems":[{"Put":{"TableName":"'$table'","Item":{"pk":{"S":"stream-2"},"sk":{"N":"1"},"kind":{"S":"created"}},"ConditionExpression":"attribute_not_exists(pk)"}},{"Update":{"TableName":"'$table'","Key":{"pk":{"S":"stream-1"},"sk":{"N":"2"}},"UpdateExpression":"SET version = version + :one","ConditionExpression":"version = :v","ExpressionAttributeValues":{":one":{"N":"1"},":v":{"N":"1"}}}},{"ConditionCheck":{"TableName":"'$table'","Key":{"pk":{"S":"stream-1"},"sk":{"N":"1"}},"ConditionExpression":"attribute_exists(pk)"}}],"ClientRequestToken":"record-'$(date +%s)'","ReturnConsumedCapacity":"TOTAL"}'
call error_transaction_canceled TransactWriteItems '{"TransactItems":[{"Put":{"TableName":"'$table'","Item":{"pk":{"S":"stream-3"},"sk":{"N":"1"}},"ConditionExpression":"attribute_not_exists(pk)"}},{"Put":{"TableName":"'$table'","Item":{"pk":{"S":"stream-1"},"sk":{"N":"2"},"kind":{"S":"clash"}},"ConditionExpression":"attribute_not_exists(pk)","ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},{"Delete":{"TableName":"'$table'","Key":{"pk":{"S":"stream-2"},"sk":{"N":"1"}},"ConditionExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"other"}}}}]}'
call delete_item DeleteItem '{"TableName":"'$table'","Key":{"pk":{"S":"stream-2"},"sk":{"N":"1"}},"ConditionExpression":"kind = :k","ExpressionAttributeValues":{":k":{"S":"created"}},"ReturnValues":"ALL_OLD","ReturnConsumedCapacity":"TOTAL"}'
call error_validation Query '{"TableName":"'$table'","KeyConditionExpression":"nope = :x","ExpressionAttributeValues":{":x":{"S":"1"}}}'
call error_resource_not_found DescribeTable '{"TableName":"evstore-recorded-missing"}'
call update_table UpdateTable '{"TableName":"'$table'","AttributeDefinitions":[{"AttributeName":"name","AttributeType":"S"}],"GlobalSecondaryIndexUpdates":[{"Create":{"IndexName":"by_name","KeySchema":[{"AttributeName":"name","KeyType":"HASH"}],"Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["kind"]}}}]}'
call describe_table_gsi_creating DescribeTable '{"TableName":"'$table'"}'
call delete_table DeleteTable '{"TableName":"'$table'"}'
