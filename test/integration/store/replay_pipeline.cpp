// How a replay reads: months read at once (parallel_buckets), slices of a month read at once
// (month_slices) and pages read ahead (prefetch_pages) never change the output; sharded tables
// merge their buckets into the same order; a replay destroyed mid-way or failing in a month read
// ahead ends cleanly.

#include <boost/test/unit_test.hpp>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/store/errors.hpp"
#include "replay_events.hpp"
#include "store/item_codec.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(replay_pipeline)

using namespace evstore;
using namespace evstore::test;
namespace asio = boost::asio;
namespace chr = std::chrono;
namespace ddb = evstore::dynamodb;

namespace {

/// 120 events over six months (one of them empty), twelve to a millisecond of a month (two of
/// them in one stream, ids not in sequence order), every tenth with a payload large enough to be
/// offloaded under a 5,000-byte threshold.
std::vector<event> mixed_events() {
  std::vector<event> events;
  const std::vector<chr::year_month> months{ym(2021, 1), ym(2021, 2), ym(2021, 4), ym(2021, 5),
                                            ym(2021, 6)};
  for (int i = 0; i < 120; ++i) {
    std::string payload = i % 10 == 0 ? "\"" + std::to_string(i) + std::string(6000, 'x') + "\""
                                      : "{\"i\":" + std::to_string(i) + "}";
    events.push_back(
        event_at("m-" + std::to_string((i * 53) % 120 + 1000),
                 in_month(months[static_cast<std::size_t>(i % 5)], chr::milliseconds{i / 60}),
                 "s" + std::to_string(i % 6), std::move(payload)));
  }
  return in_time_order(std::move(events));
}

asio::awaitable<std::optional<std::vector<event>>> first_page(replay& cursor) {
  co_return co_await cursor.next();
}

/// Lets tasks left behind run for a while.
asio::awaitable<void> pause(chr::milliseconds time) {
  asio::steady_timer timer{co_await asio::this_coro::executor, time};
  co_await timer.async_wait(asio::use_awaitable);
}

/// Every page of a replay, stopping at the first error (returned in `error`).
asio::awaitable<std::vector<event>> read_until_error(replay cursor, std::exception_ptr& error) {
  std::vector<event> events;
  try {
    for (int pages = 0; pages < 10000; ++pages) {
      std::optional<std::vector<event>> page = co_await cursor.next();
      if (!page) break;
      std::move(page->begin(), page->end(), std::back_inserter(events));
    }
  } catch (...) {
    error = std::current_exception();
  }
  // A failed replay stays failed.
  if (error) {
    try {
      co_await cursor.next();
      BOOST_FAIL("a failed replay went on");
    } catch (const boost::system::system_error&) {
    }
  }
  co_return events;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_replay_pipeline)

BOOST_AUTO_TEST_CASE(every_parallelism_and_read_ahead_gives_the_same_output) {
  store_fixture f("pipeline", {.offload_threshold_bytes = 5000});
  f.run(f.store.init());
  const std::vector<event> events = mixed_events();
  f.run(f.store.append(events));
  const std::vector<std::string> expected = replay_order(events);

  const std::vector<event> sequential =
      f.replay_all({.page_size = 7, .parallel_buckets = 1, .month_slices = 1, .prefetch_pages = 0});
  BOOST_TEST_REQUIRE(ids_of(sequential) == expected, boost::test_tools::per_element());
  for (const std::size_t k : {1u, 8u}) {
    for (const std::size_t prefetch : {0u, 1u, 4u}) {
      BOOST_TEST_CONTEXT("K " << k << ", prefetch " << prefetch) {
        const std::vector<event> replayed =
            f.replay_all({.page_size = 7,
                          .parallel_buckets = k,
                          .prefetch_pages = prefetch,
                          .max_concurrent_payload_reads = k == 1 ? 1u : 16u});
        BOOST_TEST_REQUIRE(replayed.size() == sequential.size());
        for (std::size_t i = 0; i < replayed.size(); ++i) {
          BOOST_TEST(replayed[i].id == sequential[i].id);
          BOOST_TEST(replayed[i].payload_json == sequential[i].payload_json);
        }
      }
    }
  }
  std::size_t offloaded = 0;
  for (const event& e : sequential) offloaded += e.payload_json.size() > 6000 ? 1 : 0;
  BOOST_TEST(offloaded == 12u);
}

/// Events around every slice boundary of 2, 3, 4 and 7 slices of February and March 2021 (a
/// millisecond before, two at it, one after), at the first and last millisecond of each month.
std::vector<event> events_at_slice_boundaries() {
  std::vector<event> events;
  auto add = [&](timestamp at) {
    events.push_back(event_at("b-" + std::to_string(events.size() + 100), at,
                              "s" + std::to_string(events.size() % 7)));
  };
  for (const chr::year_month month : {ym(2021, 2), ym(2021, 3)}) {
    const timestamp start{chr::sys_days{month / 1}};
    const timestamp end{chr::sys_days{(month + chr::months{1}) / 1}};
    add(start);
    add(end - chr::milliseconds{1});
    for (const int count : {2, 3, 4, 7}) {
      for (int i = 1; i < count; ++i) {
        const timestamp boundary = start + (end - start) * i / count;
        add(boundary - chr::milliseconds{1});
        add(boundary);
        add(boundary);
        add(boundary + chr::milliseconds{1});
      }
    }
  }
  return in_time_order(std::move(events));
}

BOOST_AUTO_TEST_CASE(slices_of_a_month_lose_and_reorder_nothing_at_their_boundaries) {
  store_fixture f("slices");
  f.run(f.store.init());
  const std::vector<event> events = events_at_slice_boundaries();
  f.run(f.store.append(events));
  const std::vector<std::string> expected = replay_order(events);
  for (const std::size_t slices : {1u, 2u, 3u, 4u, 7u, 64u}) {
    for (const std::size_t prefetch : {0u, 2u}) {
      BOOST_TEST_CONTEXT("slices " << slices << ", prefetch " << prefetch) {
        BOOST_TEST(ids_of(f.replay_all({.page_size = 3,
                                        .parallel_buckets = 2,
                                        .month_slices = slices,
                                        .prefetch_pages = prefetch})) == expected,
                   boost::test_tools::per_element());
      }
    }
  }
  // Resuming at a boundary of 4 slices (the second of the two events at it): the rest, in order.
  const timestamp start{chr::sys_days{ym(2021, 3) / 1}};
  const timestamp boundary = start + (chr::sys_days{ym(2021, 4) / 1} - start) * 2 / 4;
  std::vector<std::string> at_boundary;
  for (const event& e : events)
    if (*e.created == boundary) at_boundary.push_back(e.id);
  BOOST_TEST_REQUIRE(!at_boundary.empty());
  const std::string cursor = *std::max_element(at_boundary.begin(), at_boundary.end());
  const auto position = std::find(expected.begin(), expected.end(), cursor);
  BOOST_TEST_REQUIRE((position != expected.end()));
  const std::vector<std::string> rest(position + 1, expected.end());
  for (const std::size_t prefetch : {0u, 2u}) {
    BOOST_TEST(
        ids_of(f.replay_all(
            {.page_size = 3, .after_id = cursor, .month_slices = 4, .prefetch_pages = prefetch})) ==
            rest,
        boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(sharded_and_plain_tables_replay_the_same_events_in_the_same_order) {
  store_fixture plain("plain", {.skip_bucket_creation = true});
  store_fixture sharded("sharded", {.skip_bucket_creation = true, .time_bucket_shards = 4});
  plain.run(plain.store.init());
  sharded.run(sharded.store.init());
  std::vector<event> events = mixed_events();
  for (event& e : events) e.payload_json = "{}";
  plain.run(plain.store.append(events));
  sharded.run(sharded.store.append(events));

  // The events really are spread over the shard buckets.
  std::size_t in_shards = 0;
  for (unsigned shard = 0; shard < 4; ++shard) {
    ddb::query_request request;
    request.table_name = sharded.store.table_name();
    request.index_name = "timeBucketIndex";
    request.key_condition_expression = "timeBucket = :b";
    request.values = {{":b", ddb::attribute_value::string(time_bucket(ym(2021, 1), shard, 4))}};
    const ddb::query_result found = sharded.run(sharded.ddb.query(request));
    BOOST_TEST(found.items.size() < 24u);
    in_shards += found.items.size();
  }
  BOOST_TEST(in_shards == 24u);

  // The TypeScript adapter, sharing the table, writes the plain bucket: replay reads it too.
  event adapter_written = event_at("from-adapter", in_month(ym(2021, 2), chr::milliseconds{3}));
  adapter_written.sequence = 1;
  const ddb::put_item_request put{.table_name = sharded.store.table_name(),
                                  .item = to_item(adapter_written)};
  sharded.run(sharded.ddb.put_item(put));
  events.push_back(adapter_written);
  const ddb::put_item_request plain_put{.table_name = plain.store.table_name(),
                                        .item = to_item(adapter_written)};
  plain.run(plain.ddb.put_item(plain_put));

  const std::vector<std::string> expected = replay_order(events);
  for (const std::size_t prefetch : {0u, 2u}) {
    BOOST_TEST_CONTEXT("prefetch " << prefetch) {
      const auto from_plain =
          ids_of(plain.replay_all({.page_size = 5, .prefetch_pages = prefetch}));
      const auto from_sharded =
          ids_of(sharded.replay_all({.page_size = 5, .prefetch_pages = prefetch}));
      BOOST_TEST(from_plain == expected, boost::test_tools::per_element());
      BOOST_TEST(from_sharded == expected, boost::test_tools::per_element());
    }
  }
  const auto resumed = ids_of(sharded.replay_all({.page_size = 5, .after_id = expected[30]}));
  BOOST_TEST(resumed == std::vector<std::string>(expected.begin() + 31, expected.end()),
             boost::test_tools::per_element());

  // A repo configured otherwise keeps the table's count, and says so.
  repo_options unsharded = sharded.options;
  unsharded.time_bucket_shards = 1;
  repo other(sharded.io.get_executor(), local_config(), unsharded);
  sharded.run(other.init());
  bool warned = false;
  for (const std::string& line : sharded.log_lines(log_level::warning))
    warned = warned || line.find("keeps the 4 time-bucket shards") != std::string::npos;
  BOOST_TEST(warned);
  const std::vector<event> more{event_at("later", in_month(ym(2021, 7)))};
  sharded.run(other.append(more));
  ddb::query_request request;
  request.table_name = sharded.store.table_name();
  request.index_name = "timeBucketIndex";
  request.key_condition_expression = "timeBucket = :b";
  request.values = {{":b", ddb::attribute_value::string("2021-07")}};
  BOOST_TEST(sharded.run(sharded.ddb.query(request)).items.empty());
  BOOST_TEST(sharded.replay_all({.first_month = ym(2021, 7)}).size() == 1u);
}

BOOST_AUTO_TEST_CASE(destroying_a_replay_midway_ends_its_tasks) {
  store_fixture f("abandon", {.offload_threshold_bytes = 5000});
  f.run(f.store.init());
  const std::vector<event> events = mixed_events();
  f.run(f.store.append(events));
  for (int round = 0; round < 5; ++round) {
    std::optional<replay> cursor =
        f.store.all_events({.page_size = 3, .parallel_buckets = 8, .prefetch_pages = 4});
    const auto page = f.run(first_page(*cursor));
    BOOST_TEST_REQUIRE(page.has_value());
    BOOST_TEST(page->size() == 3u);
    // Destroyed while its months are being read (requests in flight, pages waiting).
    cursor.reset();
    f.run(pause(chr::milliseconds{round * 20}));
  }
  // The repo and the server are fine afterwards.
  BOOST_TEST(ids_of(f.replay_all({.page_size = 50})) == replay_order(events),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_replay_left_midway_leaves_no_task_waiting_for_good) {
  // Read-ahead tasks wait to hand over pages while their channels are full; a replay destroyed
  // then must end them, or the io_context never runs out of work (a process never exits).
  store_fixture f("leftover", {.skip_bucket_creation = true});
  f.run(f.store.init());
  std::vector<event> events;
  for (int i = 0; i < 200; ++i)
    events.push_back(event_at("left-" + std::to_string(i), in_month(ym(2021, 3), chr::hours{i}),
                              "s" + std::to_string(i % 4)));
  f.run(f.store.append(events));
  for (int round = 0; round < 3; ++round) {
    asio::io_context io;
    std::optional<repo> own(std::in_place, io.get_executor(), local_config(), f.options);
    const auto read_one_page = [&]() -> asio::awaitable<std::size_t> {
      replay cursor = own->all_events({.page_size = 1, .month_slices = 4, .prefetch_pages = 1});
      const std::optional<std::vector<event>> page = co_await cursor.next();
      // Every slice fills its channel and waits on it.
      asio::steady_timer wait{io, chr::milliseconds{200}};
      co_await wait.async_wait(asio::use_awaitable);
      co_return page ? page->size() : 0u;
    };
    BOOST_TEST(run_for(io, read_one_page(), chr::seconds{60}) == 1u);
    own.reset();  // closes the repo's pooled connections
    io.restart();
    io.run_for(chr::seconds{20});
    BOOST_TEST(io.stopped(), "work was left on the io_context after the replay ended");
  }
}

BOOST_AUTO_TEST_CASE(a_failing_month_read_ahead_surfaces_at_next) {
  store_fixture f("failing", {.skip_bucket_creation = true});
  f.run(f.store.init());
  const std::vector<event> events = mixed_events();
  std::vector<event> small = events;
  for (event& e : small) e.payload_json = "{}";
  f.run(f.store.append(small));
  // An item in 2021-05 that is no event (no domain): hydration rejects it.
  ddb::item broken = to_item(event_at("broken", in_month(ym(2021, 5), chr::hours{1})));
  broken.erase("domain");
  const ddb::put_item_request put{.table_name = f.store.table_name(), .item = broken};
  f.run(f.ddb.put_item(put));
  std::vector<std::string> before_broken;
  for (const std::string& id : replay_order(small)) {
    const auto e =
        std::find_if(small.begin(), small.end(), [&](const event& s) { return s.id == id; });
    if (*e->created >= in_month(ym(2021, 5), chr::hours{1})) break;
    before_broken.push_back(id);
  }

  for (const std::size_t prefetch : {0u, 1u, 4u}) {
    BOOST_TEST_CONTEXT("prefetch " << prefetch) {
      std::exception_ptr error;
      const std::vector<event> read = f.run(read_until_error(
          f.store.all_events({.page_size = 4, .parallel_buckets = 8, .prefetch_pages = prefetch}),
          error));
      BOOST_TEST_REQUIRE(static_cast<bool>(error));
      try {
        std::rethrow_exception(error);
      } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == store_errc::corrupt_item));
        BOOST_TEST(std::string(e.what()).find("broken") != std::string::npos);
      }
      // Every page before the broken one, in order, and nothing past it: only the broken page's
      // own events before it are missing (a page of keys holds whole groups of one millisecond,
      // so at most page_size - 1 and a group of 12 less one).
      const std::vector<std::string> read_ids = ids_of(read);
      BOOST_TEST_REQUIRE(read_ids.size() <= before_broken.size());
      BOOST_TEST(read_ids == std::vector<std::string>(
                                 before_broken.begin(),
                                 before_broken.begin() + static_cast<std::ptrdiff_t>(read.size())),
                 boost::test_tools::per_element());
      BOOST_TEST(read.size() + 14 >= before_broken.size());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
