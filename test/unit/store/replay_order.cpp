#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <random>

#include "evstore/store/errors.hpp"
#include "store/replay_order.hpp"

BOOST_AUTO_TEST_SUITE(replay_order)

using evstore::bucket_merge;
using evstore::bucket_orderer;
using evstore::index_key;
namespace ddb = evstore::dynamodb;

namespace {

index_key key(std::string created, std::string id) {
  return index_key{std::move(created), "EventID#" + std::move(id)};
}

/// `created/id` of each key, comparable and printable in test assertions.
std::vector<std::string> texts(const std::vector<index_key>& keys) {
  std::vector<std::string> out;
  for (const index_key& k : keys) out.push_back(k.created + "/" + k.id);
  return out;
}

std::vector<std::string> ids(const std::deque<index_key>& keys) {
  std::vector<std::string> out;
  for (const index_key& k : keys) out.push_back(k.id.substr(8));
  return out;
}

/// Everything a merge yields, feeding each starving bucket its next page from `pages`.
std::vector<index_key> drain(bucket_merge& merge,
                             std::vector<std::vector<std::vector<index_key>>> pages) {
  std::vector<std::size_t> next(pages.size(), 0);
  std::vector<index_key> out;
  for (int step = 0; step < 100000 && !merge.done(); ++step) {
    if (std::optional<index_key> k = merge.pop()) {
      out.push_back(std::move(*k));
      continue;
    }
    for (const std::size_t b : merge.starving()) {
      const bool last = next[b] + 1 >= pages[b].size();
      merge.add_page(b, pages[b].empty() ? std::vector<index_key>{} : pages[b][next[b]], last);
      ++next[b];
    }
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_replay_order)

BOOST_AUTO_TEST_CASE(keys_order_by_created_then_id) {
  BOOST_TEST((key("2024-01-01T00:00:00.000Z", "b") < key("2024-01-01T00:00:00.001Z", "a")));
  BOOST_TEST((key("2024-01-01T00:00:00.000Z", "a") < key("2024-01-01T00:00:00.000Z", "b")));
}

BOOST_AUTO_TEST_CASE(a_group_of_one_created_is_held_until_the_next_page_shows_it_complete) {
  bucket_orderer orderer;
  orderer.add_page({key("T1", "z"), key("T2", "c"), key("T2", "a")}, false);
  // T1 is complete (T2 follows it); T2 may continue on the next page.
  BOOST_TEST(ids(orderer.ready()) == (std::vector<std::string>{"z"}));
  orderer.ready().clear();
  orderer.add_page({key("T2", "b")}, false);
  BOOST_TEST(orderer.ready().empty());
  orderer.add_page({key("T2", "0"), key("T3", "y")}, false);
  BOOST_TEST(ids(orderer.ready()) == (std::vector<std::string>{"0", "a", "b", "c"}));
  BOOST_TEST(!orderer.finished());
  orderer.ready().clear();
  orderer.add_page({}, true);
  BOOST_TEST(ids(orderer.ready()) == (std::vector<std::string>{"y"}));
  BOOST_TEST(orderer.finished());
}

BOOST_AUTO_TEST_CASE(created_going_backwards_is_a_corrupt_index) {
  bucket_orderer orderer;
  try {
    orderer.add_page({key("T2", "a"), key("T1", "b")}, false);
    BOOST_FAIL("accepted a page out of created order");
  } catch (const boost::system::system_error& error) {
    BOOST_TEST((error.code() == evstore::store_errc::corrupt_item));
    BOOST_TEST(std::string(error.what()).find("not in created order") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(merge_waits_for_every_unfinished_bucket_before_yielding) {
  bucket_merge merge(2);
  BOOST_TEST(merge.starving() == (std::vector<std::size_t>{0, 1}));
  merge.add_page(0, {key("T1", "a"), key("T5", "a")}, true);
  BOOST_TEST(!merge.pop().has_value());  // bucket 1 might hold something before T1
  BOOST_TEST(merge.starving() == (std::vector<std::size_t>{1}));
  merge.add_page(1, {key("T0", "x"), key("T3", "x")}, false);
  BOOST_TEST(merge.pop()->id == "EventID#x");
  // T3 is held back in bucket 1 until its group is known complete, so bucket 1 has nothing
  // ready and T1 must wait too.
  BOOST_TEST(!merge.pop().has_value());
  BOOST_TEST(merge.starving() == (std::vector<std::size_t>{1}));
  merge.add_page(1, {}, true);
  BOOST_TEST(merge.pop()->created == "T1");
  BOOST_TEST(merge.pop()->created == "T3");
  BOOST_TEST(merge.pop()->created == "T5");
  BOOST_TEST(!merge.pop().has_value());
  BOOST_TEST(merge.done());
}

BOOST_AUTO_TEST_CASE(merging_shards_of_any_paging_gives_the_sorted_whole) {
  std::mt19937 random(7);
  std::vector<index_key> all;
  for (int i = 0; i < 300; ++i) {
    // Few distinct times: many ties across pages and buckets.
    all.push_back(key("2024-05-01T00:00:00.0" + std::to_string(10 + random() % 20) + "Z",
                      "id-" + std::to_string(random() % 100000)));
  }
  for (const std::size_t buckets : {1u, 3u, 5u}) {
    for (const std::size_t page : {1u, 7u, 1000u}) {
      BOOST_TEST_CONTEXT("buckets " << buckets << ", page " << page) {
        std::vector<std::vector<index_key>> per_bucket(buckets);
        for (std::size_t i = 0; i < all.size(); ++i) per_bucket[i % buckets].push_back(all[i]);
        std::vector<std::vector<std::vector<index_key>>> pages(buckets);
        for (std::size_t b = 0; b < buckets; ++b) {
          // As the index returns them: created ascending, ties in arbitrary order.
          std::shuffle(per_bucket[b].begin(), per_bucket[b].end(), random);
          std::stable_sort(
              per_bucket[b].begin(), per_bucket[b].end(),
              [](const index_key& x, const index_key& y) { return x.created < y.created; });
          for (std::size_t i = 0; i < per_bucket[b].size(); i += page)
            pages[b].emplace_back(per_bucket[b].begin() + static_cast<std::ptrdiff_t>(i),
                                  per_bucket[b].begin() + static_cast<std::ptrdiff_t>(std::min(
                                                              i + page, per_bucket[b].size())));
        }
        bucket_merge merge(buckets);
        std::vector<index_key> expected = all;
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(texts(drain(merge, pages)) == texts(expected), boost::test_tools::per_element());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_resumed_merge_skips_keys_created_before_the_cursor_and_keeps_its_group) {
  // Only hydrated events show where in its group of one `created` the cursor is.
  bucket_merge merge(2, std::string("T2"));
  std::vector<std::vector<std::vector<index_key>>> pages{
      {{key("T1", "z"), key("T2", "c")}, {key("T3", "a")}}, {{key("T2", "b"), key("T2", "d")}}};
  const std::vector<index_key> out = drain(merge, pages);
  const std::vector<index_key> expected{key("T2", "b"), key("T2", "c"), key("T2", "d"),
                                        key("T3", "a")};
  BOOST_TEST(texts(out) == texts(expected), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(peek_shows_the_next_key_without_taking_it) {
  bucket_merge merge(1);
  BOOST_TEST(merge.peek() == nullptr);  // starving
  merge.add_page(0, {key("T1", "a"), key("T2", "b")}, true);
  BOOST_TEST_REQUIRE(merge.peek() != nullptr);
  BOOST_TEST(merge.peek()->id == "EventID#a");
  BOOST_TEST(merge.pop()->id == "EventID#a");
  BOOST_TEST(merge.peek()->id == "EventID#b");
  BOOST_TEST(merge.pop()->id == "EventID#b");
  BOOST_TEST(merge.peek() == nullptr);
  BOOST_TEST(merge.done());
}

namespace {

evstore::decoded_item hydrated(std::string created, std::string domain,
                               std::optional<std::string> identifier, std::uint64_t sequence,
                               std::string id) {
  evstore::decoded_item item;
  item.created_key = std::move(created);
  item.value.domain = std::move(domain);
  item.value.identifier = std::move(identifier);
  item.value.sequence = sequence;
  item.value.id = std::move(id);
  return item;
}

std::vector<std::string> ids_of(const std::vector<evstore::decoded_item>& items) {
  std::vector<std::string> out;
  for (const evstore::decoded_item& item : items) out.push_back(item.value.id);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(events_of_one_millisecond_replay_in_stream_then_sequence_order) {
  // Random ids: id order would put "closed" (sequence 2) before "opened" (sequence 1).
  std::vector<evstore::decoded_item> items;
  items.push_back(hydrated("T1", "account", "7", 2, "0a-closed"));
  items.push_back(hydrated("T1", "account", "7", 1, "ff-opened"));
  items.push_back(hydrated("T0", "zeta", std::nullopt, 9, "zz"));
  items.push_back(hydrated("T1", "account", "10", 3, "55"));
  items.push_back(hydrated("T1", "account", std::nullopt, 1, "66"));
  evstore::sort_in_replay_order(items);
  const std::vector<std::string> expected{"zz", "66", "55", "ff-opened", "0a-closed"};
  BOOST_TEST(ids_of(items) == expected, boost::test_tools::per_element());
  for (std::size_t i = 1; i < items.size(); ++i) {
    BOOST_TEST(evstore::replays_before(items[i - 1], items[i]));
    BOOST_TEST((evstore::replay_key_of(items[i - 1]) < evstore::replay_key_of(items[i])));
  }
}

BOOST_AUTO_TEST_CASE(created_text_decides_before_the_stream) {
  // Another writer's microseconds sort as their text does, as the time index sorts them.
  std::vector<evstore::decoded_item> items;
  items.push_back(hydrated("2024-01-01T00:00:00.001Z", "a", "1", 1, "x"));
  items.push_back(hydrated("2024-01-01T00:00:00.000999Z", "b", "1", 1, "y"));
  evstore::sort_in_replay_order(items);
  BOOST_TEST(ids_of(items) == (std::vector<std::string>{"y", "x"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(index_entries_need_string_keys) {
  ddb::item entry;
  entry.emplace("id", ddb::attribute_value::string("EventID#x"));
  entry.emplace("created", ddb::attribute_value::string("2024-01-01T00:00:00.000Z"));
  const index_key k = evstore::index_key_of(entry);
  BOOST_TEST(k.id == "EventID#x");
  BOOST_TEST(evstore::primary_key_of(k) == entry);
  entry["created"] = ddb::attribute_value::number(5);
  BOOST_CHECK_EXCEPTION(evstore::index_key_of(entry), boost::system::system_error,
                        [](const boost::system::system_error& e) {
                          return e.code() == evstore::store_errc::corrupt_item &&
                                 std::string(e.what()).find("'created'") != std::string::npos;
                        });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
