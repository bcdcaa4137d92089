#include <boost/test/unit_test.hpp>

#include "evstore/store/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/item_codec.hpp"
#include "evstore/store/validation.hpp"

namespace ddb = evstore::dynamodb;
using evstore::event;

namespace {

event sample(std::string id, std::string identifier = "s") {
  event e;
  e.id = std::move(id);
  e.domain = "d";
  e.identifier = std::move(identifier);
  e.type = "t";
  e.payload_json = R"({"a":1,"b":[true,null]})";
  e.meta_json = R"({"user":"ann","n":2})";
  e.created = evstore::timestamp{std::chrono::milliseconds{1'700'000'000'000}};
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_idempotency)

BOOST_AUTO_TEST_CASE(tokens_are_36_hex_digits_fixed_by_content_and_attempt) {
  const std::string token = evstore::client_request_token("body", 1);
  BOOST_TEST(token.size() == evstore::max_client_request_token_length);
  BOOST_TEST(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(evstore::client_request_token("body", 1) == token);
  BOOST_TEST(evstore::client_request_token("body", 2) != token);
  BOOST_TEST(evstore::client_request_token("body.", 1) != token);
}

BOOST_AUTO_TEST_CASE(same_content_ignores_json_layout_but_not_values) {
  const event stored = sample("x");
  event again = sample("x");
  again.payload_json = R"({ "b" : [true, null], "a" : 1 })";
  again.meta_json = R"({"n":2,"user":"ann"})";
  again.created.reset();
  BOOST_TEST(evstore::same_event_content(stored, again, false));
  again.created = stored.created.value() + std::chrono::milliseconds{1};
  BOOST_TEST(!evstore::same_event_content(stored, again, true));
  BOOST_TEST(evstore::same_event_content(stored, again, false));

  event other = sample("x");
  other.payload_json = R"({"a":2,"b":[true,null]})";
  BOOST_TEST(!evstore::same_event_content(stored, other, false));
  other = sample("x");
  other.meta_json.reset();
  BOOST_TEST(!evstore::same_event_content(stored, other, false));
  other = sample("x", "s2");
  BOOST_TEST(!evstore::same_event_content(stored, other, false));
  other = sample("x");
  other.causation_id = "c";
  BOOST_TEST(!evstore::same_event_content(stored, other, false));

  event no_identifier = sample("x", "");
  event absent_identifier = sample("x");
  absent_identifier.identifier.reset();
  BOOST_TEST(evstore::same_event_content(no_identifier, absent_identifier, true));
}

BOOST_AUTO_TEST_CASE(stored_items_compare_meta_as_documents) {
  const ddb::item written = evstore::to_item(sample("x"));
  ddb::item stored = written;
  BOOST_TEST(evstore::same_stored_item(stored, written));
  stored.at("sequence") = ddb::attribute_value::number(std::uint64_t{9});
  BOOST_TEST(!evstore::same_stored_item(stored, written));
  stored = written;
  stored.erase("stream");
  BOOST_TEST(!evstore::same_stored_item(stored, written));
  stored = written;
  stored.at("meta") =
      ddb::attribute_value::map(ddb::item_from_document_text(R"({"n":2.0,"user":"ann"})"));
  BOOST_TEST(!evstore::same_stored_item(stored, written));  // 2.0 is another JSON value than 2
}

BOOST_AUTO_TEST_CASE(stored_leading_events_are_taken_out_and_move_the_expected_version) {
  std::vector<event> events{sample("a1", "a"), sample("b1", "b"), sample("a2", "a"),
                            sample("a3", "a")};
  std::vector<std::optional<event>> stored(events.size());
  stored[0] = sample("a1", "a");
  stored[0]->sequence = 4;
  stored[2] = sample("a2", "a");
  stored[2]->sequence = 5;
  const auto writes = evstore::plan_stream_writes(events, stored, 3);
  BOOST_TEST_REQUIRE(writes.size() == 2u);
  BOOST_TEST(writes[0].stream.identifier == "a");
  BOOST_TEST(writes[0].stream.positions == (std::vector<std::size_t>{3}),
             boost::test_tools::per_element());
  BOOST_TEST(writes[0].expected.value() == 5u);
  BOOST_TEST(events[2].sequence == 5u);
  BOOST_TEST(writes[1].stream.positions == (std::vector<std::size_t>{1}),
             boost::test_tools::per_element());
  BOOST_TEST(writes[1].expected.value() == 3u);

  // Without an expected sequence the stream's current version still decides.
  std::vector<event> loose{sample("a1", "a"), sample("a2", "a")};
  std::vector<std::optional<event>> first_stored(2);
  first_stored[0] = sample("a1", "a");
  BOOST_TEST(!evstore::plan_stream_writes(loose, first_stored, std::nullopt)[0].expected);
}

BOOST_AUTO_TEST_CASE(a_stored_event_after_a_new_one_of_its_stream_is_a_duplicate) {
  std::vector<event> events{sample("a1", "a"), sample("a2", "a")};
  std::vector<std::optional<event>> stored(2);
  stored[1] = sample("a2", "a");
  try {
    evstore::plan_stream_writes(events, stored, std::nullopt);
    BOOST_FAIL("expected a duplicate event error");
  } catch (const evstore::duplicate_event_error& error) {
    BOOST_TEST(error.event_id() == "a2");
  }
}

BOOST_AUTO_TEST_CASE(ids_in_the_namespaces_of_snapshots_and_metadata_are_refused) {
  for (const char* id : {"SNAPSHOT::d::s", "META::months"}) {
    std::vector<event> events{sample(id)};
    try {
      evstore::prepare_events(events, evstore::timestamp{});
      BOOST_FAIL("expected an invalid event error for " << id);
    } catch (const boost::system::system_error& error) {
      BOOST_CHECK(error.code() == evstore::store_errc::invalid_event);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
