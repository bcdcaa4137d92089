#include <boost/test/unit_test.hpp>

#include <memory>

#include "evstore/store/event_json.hpp"
#include "store/item_codec.hpp"
#include "store/item_size.hpp"
#include "store/payload_object.hpp"
#include "store_fixture.hpp"
#include "support/for_each_concurrently.hpp"

BOOST_AUTO_TEST_SUITE(offload)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;
namespace ddb = evstore::dynamodb;

namespace {

std::string big_payload(std::size_t bytes) {
  return "{\"blob\":\"" + std::string(bytes, 'z') + "\"}";
}

/// The S3 key the one item of event `id` refers to.
std::string object_key_of(store_fixture& f, const std::string& id) {
  const ddb::query_request request{.table_name = f.store.table_name(),
                                   .key_condition_expression = "id = :id",
                                   .values = {{":id", ddb::attribute_value::string(event_key(id))}},
                                   .consistent_read = true};
  const std::vector<ddb::item> items = f.run(f.ddb.query(request)).items;
  BOOST_TEST_REQUIRE(items.size() == 1u);
  return parse_s3_reference(items[0].at("s3Reference").as_string()).key;
}

/// Puts `item` grown with a string attribute to exactly `size` bytes by item_size; true when
/// DynamoDB accepts it.
bool accepts_item_of_size(store_fixture& f, ddb::item item, std::size_t size) {
  item["filler"] = ddb::attribute_value::string("");
  const std::size_t base = item_size(item);
  item["filler"] = ddb::attribute_value::string(std::string(size - base, 'f'));
  BOOST_TEST_REQUIRE(item_size(item) == size);
  try {
    f.run(f.ddb.put_item({.table_name = f.store.table_name(), .item = item}));
    return true;
  } catch (const ddb::service_error& error) {
    BOOST_TEST_MESSAGE("rejected at " << size << ": " << error.what());
    return false;
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_offload)

BOOST_AUTO_TEST_CASE(item_size_computation_meets_dynamodbs_limit_exactly) {
  store_fixture f("size", {.skip_bucket_creation = true});
  f.run(f.store.init());
  ddb::item plain{{"id", ddb::attribute_value::string("EventID#plain")},
                  {"created", ddb::attribute_value::string("2024-05-01T00:00:00.000Z")}};
  BOOST_TEST(accepts_item_of_size(f, plain, max_item_bytes));
  BOOST_TEST(!accepts_item_of_size(f, plain, max_item_bytes + 1));

  // Numbers, a map with a nested list, a boolean and a null: the overheads must match too.
  ddb::item mixed = plain;
  mixed["id"] = ddb::attribute_value::string("EventID#mixed");
  mixed["sequence"] = ddb::attribute_value::number(1234567);
  mixed["meta"] = ddb::attribute_value::map(
      {{"tags", ddb::attribute_value::list(
                    {ddb::attribute_value::string("a"), ddb::attribute_value::number("-12.50")})},
       {"ok", ddb::attribute_value::boolean(true)},
       {"none", ddb::attribute_value::null()}});
  BOOST_TEST(accepts_item_of_size(f, mixed, max_item_bytes));
  BOOST_TEST(!accepts_item_of_size(f, mixed, max_item_bytes + 1));
}

BOOST_AUTO_TEST_CASE(an_oversized_payload_goes_to_s3_and_comes_back) {
  store_fixture f("offload", {.s3_key_prefix = "archive/"});
  f.run(f.store.init());
  event small = make_event("doc", "d1", "noted", R"({"x":1})");
  event large = make_event("doc", "d1", "uploaded", big_payload(400'000));
  large.meta_json = R"({"mime":"text/plain"})";
  const std::vector<event> stored = f.run(f.store.append({small, large}));
  const event& written = stored[1];

  // The item keeps everything but the payload, plus the reference.
  const auto items =
      f.run(f.ddb.query({.table_name = f.store.table_name(),
                         .key_condition_expression = "id = :id",
                         .values = {{":id", ddb::attribute_value::string(event_key(written.id))}},
                         .consistent_read = true}))
          .items;
  BOOST_TEST_REQUIRE(items.size() == 1u);
  BOOST_TEST(!items[0].contains("payload"));
  const s3_location where = parse_s3_reference(items[0].at("s3Reference").as_string());
  BOOST_TEST(where.bucket == f.options.s3_bucket_name);
  BOOST_TEST(items[0].at("meta").as_map().at("mime").as_string() == "text/plain");

  // The object is the whole event as JSON, under a key naming the id and the object's digest.
  const s3::object object = f.run(f.s3.get_object(f.options.s3_bucket_name, where.key, 1 << 20));
  BOOST_TEST(where.key == payload_object_key("archive/", written.id, object.body));
  BOOST_TEST(where.key.starts_with("archive/" + written.id + "."));
  BOOST_TEST(object.info.content_type == "application/json");
  const event in_s3 = event_from_json(object.body);
  BOOST_TEST(in_s3.payload_json == large.payload_json);
  BOOST_TEST(in_s3.sequence == 2u);
  BOOST_TEST(in_s3.type == "uploaded");

  const auto by_id = f.run(f.store.get_event_by_id(written.id));
  BOOST_TEST_REQUIRE(by_id.has_value());
  BOOST_TEST(by_id->payload_json == large.payload_json);
  BOOST_TEST(by_id->sequence == 2u);
  BOOST_CHECK(by_id->meta_json == large.meta_json);

  const std::vector<event> replayed = f.replay_all({.page_size = 7});
  BOOST_TEST_REQUIRE(replayed.size() == 2u);
  BOOST_TEST(replayed[0].payload_json == small.payload_json);
  BOOST_TEST(replayed[1].payload_json == large.payload_json);
}

BOOST_AUTO_TEST_CASE(a_payload_over_the_multipart_threshold_is_uploaded_in_parts) {
  store_fixture f("multipart");
  f.run(f.store.init());
  const event stored =
      f.run(f.store.append({make_event("doc", "d2", "huge", big_payload(17 * 1024 * 1024))}))
          .front();
  const auto info = f.run(f.s3.head_object(f.options.s3_bucket_name, object_key_of(f, stored.id)));
  BOOST_TEST_REQUIRE(info.has_value());
  BOOST_TEST(info->etag.find('-') != std::string::npos);  // a multipart ETag: "<md5>-<parts>"
  const auto back = f.run(f.store.get_event_by_id(stored.id));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->payload_json.size() == stored.payload_json.size());
  BOOST_TEST((back->payload_json == stored.payload_json));
}

// Two writers append one caller-chosen id at once with different large payloads: both upload
// before either transaction, so with one key per id the later upload replaced the object the
// stored item points at. Every stored item must read back its own content.
BOOST_AUTO_TEST_CASE(racing_appends_of_one_id_each_keep_their_own_offloaded_object) {
  store_fixture f("offrace");
  f.run(f.store.init());
  repo_options writer_options = f.options;
  writer_options.skip_table_creation = true;
  std::vector<std::unique_ptr<repo>> writers;
  for (int w = 0; w < 2; ++w)
    writers.push_back(
        std::make_unique<repo>(f.io.get_executor(), test::local_config(), writer_options));

  constexpr std::size_t rounds = 6;
  std::size_t appended = 0;
  for (std::size_t round = 0; round < rounds; ++round) {
    const std::string id = "raced-" + std::to_string(round);
    f.run(test::for_each_concurrently(2, 2, [&](std::size_t w) -> boost::asio::awaitable<void> {
      event e = make_event("race", "r" + std::to_string(round), "from-" + std::to_string(w),
                           "{\"writer\":" + std::to_string(w) + ",\"blob\":\"" +
                               std::string(400'000, static_cast<char>('a' + w)) + "\"}");
      e.id = id;
      std::vector<event> batch{std::move(e)};
      try {
        co_await writers[w]->append(std::move(batch));
        ++appended;
      } catch (const boost::system::system_error& error) {
        BOOST_TEST_MESSAGE("round " << round << ", writer " << w << ": " << error.what());
      }
    }));
    // Every item of the id (one, or two while an id can still be stored twice) against the
    // object it names.
    const ddb::query_request request{
        .table_name = f.store.table_name(),
        .key_condition_expression = "id = :id",
        .values = {{":id", ddb::attribute_value::string(event_key(id))}},
        .consistent_read = true};
    const std::vector<ddb::item> items = f.run(f.ddb.query(request)).items;
    BOOST_TEST_REQUIRE(!items.empty());
    for (const ddb::item& item : items) {
      const std::string type = item.at("type").as_string();
      const s3_location where = parse_s3_reference(item.at("s3Reference").as_string());
      const event in_s3 =
          event_from_json(f.run(f.s3.get_object(where.bucket, where.key, 1 << 20)).body);
      BOOST_TEST(in_s3.type == type, "round " << round << ": the item of " << type
                                              << " points at the object of " << in_s3.type);
    }
    const std::optional<event> read = f.run(f.store.get_event_by_id(id));
    BOOST_TEST_REQUIRE(read.has_value());
    const char writer_letter = static_cast<char>('a' + (read->type.back() - '0'));
    BOOST_TEST((read->payload_json.find(std::string(1000, writer_letter)) != std::string::npos),
               "round " << round << ": " << read->type << " read back another payload");
  }
  BOOST_TEST(appended >= rounds);
}

BOOST_AUTO_TEST_CASE(oversized_payload_without_a_bucket_is_rejected_before_writing) {
  store_fixture f("nobucket", {.skip_bucket_creation = true});
  repo without_bucket(f.io.get_executor(), test::local_config(), f.options);
  f.run(without_bucket.init());
  try {
    f.run(without_bucket.append({make_event("doc", "d3", "big", big_payload(400'000))}));
    BOOST_FAIL("expected an invalid event error");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST(std::string(error.what()).find("s3_bucket_name") != std::string::npos);
  }
  BOOST_TEST(f.run(f.store.stream_sequence("doc", "d3")) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
