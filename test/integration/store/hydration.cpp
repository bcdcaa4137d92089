#include <boost/test/unit_test.hpp>

#include "store_fixture.hpp"

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

BOOST_AUTO_TEST_SUITE(store_hydration)

// 100 items of ~340 KB: one BatchGetItem of their 100 keys would answer 34 MB, over the 16 MB a
// response may carry, so DynamoDB returns part of them as UnprocessedKeys.
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
  f.run(f.store.append(std::move(events)), std::chrono::seconds(300));

  const std::vector<event> replayed = f.replay_all({.page_size = 100});
  BOOST_TEST_REQUIRE(replayed.size() == 100u);
  for (std::size_t i = 0; i < replayed.size(); ++i) {
    BOOST_TEST(replayed[i].sequence == i + 1);
    BOOST_TEST(replayed[i].payload_json.starts_with("\"" + std::to_string(i) + "u"));
    BOOST_TEST(replayed[i].payload_json.size() == std::to_string(i).size() + 340'002);
  }
  bool asked_again = false;
  for (const std::string& line : f.log_lines(log_level::debug))
    asked_again = asked_again || line.find("unprocessed") != std::string::npos;
  BOOST_TEST(asked_again);
}

BOOST_AUTO_TEST_SUITE_END()
