// Bad input against the real local servers (DynamoDB Local, fauxqs): events a caller must not
// be able to store (each an invalid_event error naming the problem, with the table and the
// bucket left exactly as they were, offloaded payloads of valid events in the same append
// included), and stored items whose offloaded payload is gone.

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/dynamodb/items.hpp"
#include "evstore/dynamodb/scan.hpp"
#include "evstore/store/errors.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(bad_input_stored)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;
namespace ddb = evstore::dynamodb;

namespace {

/// Every item of the table, each as its wire JSON, sorted: equal snapshots mean nothing was
/// written.
boost::asio::awaitable<std::vector<std::string>> table_snapshot(store_fixture& f) {
  std::vector<std::string> items;
  ddb::scan_request request;
  request.table_name = f.store.table_name();
  request.consistent_read = true;
  for (int page = 0; page < 1000; ++page) {
    ddb::scan_result result = co_await f.ddb.scan(request);
    for (const ddb::item& item : result.items)
      items.push_back(boost::json::serialize(ddb::to_json(item)));
    if (!result.last_evaluated_key) break;
    request.exclusive_start_key = std::move(result.last_evaluated_key);
  }
  std::sort(items.begin(), items.end());
  co_return items;
}

boost::asio::awaitable<std::vector<std::string>> object_keys(store_fixture& f) {
  std::vector<std::string> keys;
  for (const s3::object_summary& object :
       co_await f.s3.list_all_objects(f.options.s3_bucket_name, ""))
    keys.push_back(object.key);
  co_return keys;
}

struct bad_event {
  std::string what;  // the case, for the test log
  event value;
  std::string named;  // part of the error message
};

std::vector<bad_event> bad_events() {
  std::vector<bad_event> cases;
  auto add = [&](std::string what, auto change, std::string named) {
    event e = make_event("account", "a-1", "opened", R"({"owner":"ada"})");
    e.id = "bad-input-event";
    change(e);
    cases.push_back({std::move(what), std::move(e), std::move(named)});
  };
  add(
      "empty domain", [](event& e) { e.domain.clear(); }, "the domain is empty");
  add(
      "empty type", [](event& e) { e.type.clear(); }, "the type is empty");
  add(
      "newline in the id", [](event& e) { e.id = "line\nbreak"; }, "control characters");
  add(
      "NUL in the id", [](event& e) { e.id = std::string("nul\0id", 6); }, "control characters");
  add(
      "DEL in the id", [](event& e) { e.id = "del\x7f"; }, "control characters");
  add(
      "id over the key size limit", [](event& e) { e.id = std::string(2041, 'k'); },
      "the id is too long");
  add(
      "stream key over the limit", [](event& e) { e.identifier = std::string(2048, 'i'); },
      "too long for a stream key");
  add(
      "domain with ::", [](event& e) { e.domain = "a::b"; }, "may not contain \"::\"");
  add(
      "id in the stream head namespace", [](event& e) { e.id = "HEAD::x"; }, "HEAD::");
  add(
      "type not UTF-8", [](event& e) { e.type = "op\xc3("; }, "the type is not valid UTF-8");
  add(
      "payload not JSON", [](event& e) { e.payload_json = "{\"owner\":"; },
      "the payload is not valid JSON");
  add(
      "meta not an object", [](event& e) { e.meta_json = "[1]"; }, "not a JSON object");
  add(
      "empty causation id", [](event& e) { e.causation_id = ""; }, "the causation id is empty");
  add(
      "created past year 9999",
      [](event& e) {
        e.created =
            timestamp{std::chrono::sys_days{std::chrono::year{10000} / 1 / 1}.time_since_epoch()};
      },
      "outside years 0000-9999");
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_bad_input_stored)

BOOST_AUTO_TEST_CASE(bad_events_are_refused_and_nothing_is_written) {
  repo_options tweaks;
  tweaks.offload_threshold_bytes = 1000;  // the valid neighbour's payload goes to S3
  store_fixture f("badevents", tweaks);
  f.run(f.store.init());
  std::vector<event> first{make_event("account", "a-1", "opened", "{}")};
  f.run(f.store.append(first));
  const std::vector<std::string> table_before = f.run(table_snapshot(f));
  const std::vector<std::string> objects_before = f.run(object_keys(f));

  for (const bad_event& bad : bad_events()) {
    BOOST_TEST_CONTEXT(bad.what) {
      // A valid event with an offloaded payload first: validation must precede every upload.
      event neighbour =
          make_event("account", "a-2", "opened", "{\"blob\":\"" + std::string(5000, 'b') + "\"}");
      std::vector<event> batch{neighbour, bad.value};
      try {
        f.run(f.store.append(batch));
        BOOST_ERROR("accepted");
      } catch (const boost::system::system_error& error) {
        BOOST_TEST(error.code() == make_error_code(store_errc::invalid_event), error.what());
        BOOST_TEST(std::string_view(error.what()).find(bad.named) != std::string_view::npos,
                   "'" << error.what() << "' does not name '" << bad.named << "'");
        BOOST_TEST(std::string_view(error.what()).find("event 2") != std::string_view::npos,
                   error.what());
      }
    }
  }
  BOOST_TEST(f.run(table_snapshot(f)) == table_before, boost::test_tools::per_element());
  BOOST_TEST(f.run(object_keys(f)) == objects_before, boost::test_tools::per_element());
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a-1")) == 1u);
  BOOST_TEST(f.run(f.store.stream_sequence("account", "a-2")) == 0u);
}

BOOST_AUTO_TEST_CASE(an_s3_reference_to_a_missing_object_is_payload_unavailable) {
  store_fixture f("ghostref");
  f.run(f.store.init());
  event ghost = make_event("account", "g-1", "opened");
  ghost.id = "ghost-event";
  ghost.causation_id = "ghost-cause";
  ghost.created = evstore::test::utc("2024-05-01T12:00:00.000Z");
  ghost.sequence = 1;
  const s3_location missing{f.options.s3_bucket_name, "events/never-uploaded.json"};
  ddb::put_item_request put;
  put.table_name = f.store.table_name();
  put.item = to_item(ghost, missing);
  f.run(f.ddb.put_item(put));

  auto check = [&](const boost::system::system_error& error) {
    BOOST_TEST(error.code() == make_error_code(store_errc::payload_unavailable), error.what());
    const std::string_view text = error.what();
    BOOST_TEST(text.find("'ghost-event'") != std::string_view::npos, text);
    BOOST_TEST(text.find("events/never-uploaded.json") != std::string_view::npos, text);
  };
  try {
    f.run(f.store.get_event_by_id("ghost-event"));
    BOOST_ERROR("get_event_by_id returned without the payload");
  } catch (const boost::system::system_error& error) {
    check(error);
  }
  try {
    f.run(f.store.find_by_causation_id("ghost-cause"));
    BOOST_ERROR("find_by_causation_id returned without the payload");
  } catch (const boost::system::system_error& error) {
    check(error);
  }
}

BOOST_AUTO_TEST_CASE(an_s3_reference_to_another_bucket_that_is_missing_is_payload_unavailable) {
  store_fixture f("ghostbucket");
  f.run(f.store.init());
  event ghost = make_event("account", "g-2", "opened");
  ghost.id = "ghost-bucket-event";
  ghost.created = evstore::test::utc("2024-05-01T12:00:00.000Z");
  ghost.sequence = 1;
  const s3_location missing{f.name + "-absent", "events/x.json"};
  ddb::put_item_request put;
  put.table_name = f.store.table_name();
  put.item = to_item(ghost, missing);
  f.run(f.ddb.put_item(put));
  try {
    f.run(f.store.get_event_by_id("ghost-bucket-event"));
    BOOST_ERROR("get_event_by_id returned without the payload");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST(error.code() == make_error_code(store_errc::payload_unavailable), error.what());
    BOOST_TEST(std::string_view(error.what()).find(f.name + "-absent") != std::string_view::npos,
               error.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
