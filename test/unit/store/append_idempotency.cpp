#include <boost/test/unit_test.hpp>

#include "evstore/store/detail/append_plan.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/validation.hpp"
#include "store/append_token.hpp"
#include "store/item_codec.hpp"

BOOST_AUTO_TEST_SUITE(append_idempotency)

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

/// The digest of one call writing `events` (sequences 1..n) to stream d/s of table "tbl".
evstore::transaction_digest digest_of(const std::vector<event>& events,
                                      std::string_view table = "tbl", std::uint64_t expected = 0) {
  evstore::transaction_chunk chunk{"d", "s", expected, expected + events.size(), {}};
  std::vector<ddb::item> items;
  for (std::size_t p = 0; p < events.size(); ++p) {
    event e = events[p];
    e.sequence = expected + p + 1;
    items.push_back(evstore::to_item(e));
    chunk.positions.push_back(p);
  }
  return evstore::transaction_content_digest(table, chunk, items);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_append_idempotency)

BOOST_AUTO_TEST_CASE(tokens_are_36_hex_digits_fixed_by_content_and_attempt) {
  const evstore::transaction_digest content = digest_of({sample("x"), sample("y")});
  const std::string token = evstore::client_request_token(content, 1);
  BOOST_TEST(token.size() == evstore::max_client_request_token_length);
  BOOST_TEST(token.find_first_not_of("0123456789abcdef") == std::string::npos);
  BOOST_TEST(evstore::client_request_token(digest_of({sample("x"), sample("y")}), 1) == token);
  BOOST_TEST(evstore::client_request_token(content, 2) != token);
}

BOOST_AUTO_TEST_CASE(any_change_to_what_a_call_writes_changes_its_token) {
  const std::vector<event> base{sample("x"), sample("y")};
  const std::string token = evstore::client_request_token(digest_of(base), 1);
  const auto token_of = [](const std::vector<event>& events, std::string_view table = "tbl",
                           std::uint64_t expected = 0) {
    return evstore::client_request_token(digest_of(events, table, expected), 1);
  };
  std::vector<event> changed = base;
  changed[1].payload_json = R"({"a":1,"b":[true,false]})";
  BOOST_TEST(token_of(changed) != token);
  changed = base;
  changed[0].meta_json = R"({"user":"ann","n":3})";  // a value inside the meta map
  BOOST_TEST(token_of(changed) != token);
  changed = base;
  changed[0].type = "u";
  BOOST_TEST(token_of(changed) != token);
  changed = base;
  changed[1].created = changed[1].created.value() + std::chrono::milliseconds{1};
  BOOST_TEST(token_of(changed) != token);
  changed = base;
  changed[0].causation_id = "c";
  BOOST_TEST(token_of(changed) != token);
  BOOST_TEST(token_of({base[1], base[0]}) != token);
  BOOST_TEST(token_of({base[0]}) != token);
  BOOST_TEST(token_of(base, "tbl2") != token);
  BOOST_TEST(token_of(base, "tbl", 4) != token);
}

BOOST_AUTO_TEST_CASE(the_digest_tells_apart_texts_split_differently_and_types) {
  evstore::transaction_chunk chunk{"d", "s", 0, 1, {0}};
  const auto digest = [&](ddb::item item) {
    return evstore::transaction_content_digest("tbl", chunk, {std::move(item)});
  };
  BOOST_TEST((digest({{"ab", ddb::attribute_value::string("c")}}) !=
              digest({{"a", ddb::attribute_value::string("bc")}})));
  BOOST_TEST((digest({{"a", ddb::attribute_value::string("1")}}) !=
              digest({{"a", ddb::attribute_value::number(1)}})));
  BOOST_TEST((digest({{"a", ddb::attribute_value::list({ddb::attribute_value::string("x"),
                                                        ddb::attribute_value::string("y")})}}) !=
              digest({{"a", ddb::attribute_value::list({ddb::attribute_value::string("xy")})}})));
  BOOST_TEST((digest({{"a", ddb::attribute_value::boolean(true)}}) !=
              digest({{"a", ddb::attribute_value::boolean(false)}})));
  // The stream's name parts are delimited too.
  evstore::transaction_chunk other{"ds", "", 0, 1, {0}};
  const ddb::item item{{"a", ddb::attribute_value::null()}};
  BOOST_TEST((evstore::transaction_content_digest("tbl", chunk, {item}) !=
              evstore::transaction_content_digest("tbl", other, {item})));
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

BOOST_AUTO_TEST_SUITE_END()
