#include <boost/test/unit_test.hpp>

#include "store/item_codec.hpp"
#include "store_fixture.hpp"
// The hydration step itself, which replay and find_by_causation_id share: DynamoDB Local pages
// a Query of these items at 1 MB of item data, so only a direct call gets 100 keys at once.
#include "../../../src/store/repo_state.hpp"

BOOST_AUTO_TEST_SUITE(hydration)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

BOOST_AUTO_TEST_SUITE(store_hydration)

// 100 items of ~340 KB: one BatchGetItem of their 100 keys would answer 34 MB, over the 16 MB a
// response may carry, so DynamoDB returns part of them as UnprocessedKeys (DynamoDB Local: 49
// items and 51 unprocessed keys).
BOOST_AUTO_TEST_CASE(unprocessed_keys_are_asked_for_again_until_none_remain) {
  store_fixture f("unprocessed", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> events;
  for (int i = 0; i < 100; ++i) {
    event e = make_event("blob", "b", "stored",
                         "\"" + std::to_string(i) + std::string(340'000, 'u') + "\"");
    e.id = "big-" + std::to_string(i);
    events.push_back(std::move(e));
  }
  const std::vector<event> stored =
      f.run(f.store.append(std::move(events)), std::chrono::seconds(300));

  std::vector<dynamodb::item> entries;
  for (const event& e : stored) entries.push_back(event_item_key(e.id, format_iso8601(*e.created)));
  repo_state state(f.io.get_executor(), test::local_config(), f.options);
  const std::vector<event> hydrated = f.run(state.hydrate(entries));
  BOOST_TEST_REQUIRE(hydrated.size() == 100u);
  for (std::size_t i = 0; i < hydrated.size(); ++i) {
    BOOST_TEST(hydrated[i].id == stored[i].id);
    BOOST_TEST(hydrated[i].payload_json == stored[i].payload_json);
  }
  bool asked_again = false;
  for (const std::string& line : f.log_lines(log_level::debug))
    asked_again = asked_again || line.find("unprocessed") != std::string::npos;
  BOOST_TEST(asked_again);

  // Replay returns them all, in order, through whatever pages the server makes.
  const std::vector<event> replayed = f.replay_all({.page_size = 100});
  BOOST_TEST_REQUIRE(replayed.size() == 100u);
  for (std::size_t i = 0; i < replayed.size(); ++i) {
    BOOST_TEST(replayed[i].sequence == i + 1);
    BOOST_TEST(replayed[i].payload_json.starts_with("\"" + std::to_string(i) + "u"));
    BOOST_TEST(replayed[i].payload_json.size() == std::to_string(i).size() + 340'002);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
