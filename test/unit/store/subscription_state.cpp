#include <boost/test/unit_test.hpp>

#include <system_error>

#include <boost/system/system_error.hpp>

#include "store/subscription_state.hpp"

BOOST_AUTO_TEST_SUITE(subscription_state)

using evstore::stream_check;
using evstore::stream_position;
using evstore::stream_tracker;
using evstore::stream_verdict;
using evstore::subscription_checkpoint;
namespace chr = std::chrono;

namespace {

bool invalid_argument(const boost::system::system_error& error) {
  return error.code() == std::errc::invalid_argument &&
         std::string(error.what()).find("subscription checkpoint") != std::string::npos;
}

subscription_checkpoint sample() {
  subscription_checkpoint checkpoint;
  checkpoint.swept = "2024-05-01T12:00:10.000Z";
  checkpoint.floor = "2024-05-01T12:00:00.000Z";
  checkpoint.streams = {{"account", "a\"1", 7, "2024-05-01T12:00:03.000Z"},
                        {"order", "", 1, "2024-05-01T12:00:09.999Z"}};
  return checkpoint;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(subscription_checkpoint_codec)

BOOST_AUTO_TEST_CASE(a_checkpoint_reads_back_as_written) {
  const subscription_checkpoint checkpoint = sample();
  const std::string text = evstore::encode_checkpoint(checkpoint);
  BOOST_TEST(text.find('\n') == std::string::npos);
  BOOST_TEST((evstore::decode_checkpoint(text) == checkpoint));
  const subscription_checkpoint empty;
  BOOST_TEST((evstore::decode_checkpoint(evstore::encode_checkpoint(empty)) == empty));
}

BOOST_AUTO_TEST_CASE(bad_text_is_refused_saying_what_is_wrong) {
  for (const std::string bad :
       {"", "not json", "[]", R"({"swept":"","floor":"","streams":[]})",
        R"({"v":2,"swept":"","floor":"","streams":[]})",
        R"({"v":1,"swept":"yesterday","floor":"","streams":[]})",
        R"({"v":1,"swept":"","floor":"","streams":{}})",
        R"({"v":1,"swept":"","floor":"","streams":[["d","i",0,"2024-05-01T12:00:00.000Z"]]})",
        R"({"v":1,"swept":"","floor":"","streams":[["d","i",-3,"2024-05-01T12:00:00.000Z"]]})",
        R"({"v":1,"swept":"","floor":"","streams":[["d","i",1]]})",
        R"({"v":1,"swept":"","floor":"","streams":[["","i",1,"2024-05-01T12:00:00.000Z"]]})",
        R"({"v":1,"swept":"","streams":[]})"}) {
    BOOST_TEST_CONTEXT(bad) {
      BOOST_CHECK_EXCEPTION(evstore::decode_checkpoint(bad), boost::system::system_error,
                            invalid_argument);
    }
  }
}

BOOST_AUTO_TEST_CASE(the_window_start_is_the_text_of_an_earlier_time) {
  BOOST_TEST(evstore::created_before("2024-05-01T00:00:05.000Z", chr::seconds{10}) ==
             "2024-04-30T23:59:55.000Z");
  BOOST_TEST(evstore::created_before("", chr::seconds{10}) == "");
  BOOST_TEST(evstore::created_before("0000-01-01T00:00:05.000Z", chr::seconds{10}) == "");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(subscription_stream_order)

BOOST_AUTO_TEST_CASE(an_untracked_stream_starts_at_one_or_has_a_gap_to_look_up) {
  const stream_tracker tracker("2024-05-01T12:00:00.000Z", {});
  const stream_check first = tracker.check("d", "a", 1);
  BOOST_TEST((first.verdict == stream_verdict::deliver));
  const stream_check later = tracker.check("d", "a", 4);
  BOOST_TEST((later.verdict == stream_verdict::gap));
  BOOST_TEST(later.first_missing == 0u);
  BOOST_TEST(tracker.below_floor("2024-05-01T11:59:59.999Z"));
  BOOST_TEST(!tracker.below_floor("2024-05-01T12:00:00.000Z"));
}

BOOST_AUTO_TEST_CASE(a_tracked_stream_delivers_the_next_skips_the_old_and_fills_a_gap) {
  stream_tracker tracker("", {{"d", "a", 3, "2024-05-01T12:00:00.000Z"}});
  BOOST_TEST((tracker.check("d", "a", 2).verdict == stream_verdict::already_delivered));
  BOOST_TEST((tracker.check("d", "a", 3).verdict == stream_verdict::already_delivered));
  BOOST_TEST((tracker.check("d", "a", 4).verdict == stream_verdict::deliver));
  const stream_check gap = tracker.check("d", "a", 7);
  BOOST_TEST((gap.verdict == stream_verdict::gap));
  BOOST_TEST(gap.first_missing == 4u);
  // Streams differ by domain and identifier alike.
  BOOST_TEST((tracker.check("e", "a", 1).verdict == stream_verdict::deliver));
  tracker.record("d", "a", 4, "2024-05-01T12:00:01.000Z");
  BOOST_TEST((tracker.check("d", "a", 4).verdict == stream_verdict::already_delivered));
  BOOST_TEST((tracker.check("d", "a", 5).verdict == stream_verdict::deliver));
}

BOOST_AUTO_TEST_CASE(a_gap_is_filled_only_by_the_whole_run_before_the_event) {
  using evstore::fills_gap;
  using run = std::vector<std::uint64_t>;
  // A tracked stream at 3, event 7 seen: 4, 5, 6 are needed, all of them.
  BOOST_TEST(fills_gap(run{4, 5, 6}, 7, 4, 0));
  BOOST_TEST(!fills_gap(run{4, 6}, 7, 4, 0));
  BOOST_TEST(!fills_gap(run{5, 6}, 7, 4, 0));
  // Untracked, event 5 seen, event 2 below the floor: 3 and 4 are needed.
  BOOST_TEST(fills_gap(run{3, 4}, 5, 0, 2));
  BOOST_TEST(fills_gap(run{}, 5, 0, 4));
  // The index lags: event 2 below the floor and 4 found, 3 missing, is no run.
  BOOST_TEST(!fills_gap(run{4}, 5, 0, 2));
  // Nothing below the floor: the run reaches back to the first event.
  BOOST_TEST(fills_gap(run{1, 2}, 3, 0, 0));
  BOOST_TEST(!fills_gap(run{2}, 3, 0, 0));
}

BOOST_AUTO_TEST_CASE(a_checkpoint_keeps_the_streams_delivered_within_the_window) {
  stream_tracker tracker("", {});
  tracker.record("d", "old", 2, "2024-05-01T12:00:00.000Z");
  tracker.record("d", "edge", 1, "2024-05-01T12:00:05.000Z");
  tracker.record("d", "new", 9, "2024-05-01T12:00:09.000Z");
  const std::vector<stream_position> kept = tracker.positions_since("2024-05-01T12:00:05.000Z");
  BOOST_TEST_REQUIRE(kept.size() == 2u);
  BOOST_TEST(kept[0].identifier == "edge");
  BOOST_TEST(kept[1].identifier == "new");
  BOOST_TEST(kept[1].sequence == 9u);
}

BOOST_AUTO_TEST_CASE(beyond_its_capacity_the_tracker_forgets_the_oldest_and_raises_its_floor) {
  stream_tracker tracker("", {}, 4);
  for (int i = 0; i < 5; ++i)
    tracker.record("d", std::to_string(i), 1, "2024-05-01T12:00:0" + std::to_string(i) + ".000Z");
  BOOST_TEST(tracker.size() < 5u);
  BOOST_TEST(tracker.floor() == "2024-05-01T12:00:02.000Z");
  // A forgotten stream's next event: untracked, and its predecessor counts as delivered.
  BOOST_TEST((tracker.check("d", "0", 2).verdict == stream_verdict::gap));
  BOOST_TEST(tracker.below_floor("2024-05-01T12:00:00.000Z"));
  BOOST_TEST((tracker.check("d", "4", 1).verdict == stream_verdict::already_delivered));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
