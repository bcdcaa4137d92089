// The wait for a stream index that init added: no time limit while DynamoDB builds the index
// (a backfill of a large table outlasts any fixed cap), an error as soon as it cannot finish.

#include <boost/test/unit_test.hpp>

#include "store/index_build.hpp"

BOOST_AUTO_TEST_SUITE(index_build)

namespace ddb = evstore::dynamodb;
using evstore::index_build_step;
using namespace std::chrono_literals;

namespace {

ddb::global_secondary_index_description index(std::string name, std::string status,
                                              bool backfilling = false) {
  ddb::global_secondary_index_description gsi;
  gsi.index_name = std::move(name);
  gsi.index_status = std::move(status);
  gsi.backfilling = backfilling;
  return gsi;
}

/// The table as DescribeTable shows it while streamIndex is backfilled.
ddb::table_description building() {
  ddb::table_description table;
  table.table_name = "p-schemeless-event-store";
  table.table_status = "UPDATING";
  table.global_secondary_indexes = {index("timeBucketIndex", "ACTIVE"),
                                    index("causationIndex", "ACTIVE"),
                                    index("streamIndex", "CREATING", true)};
  return table;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_index_build)

BOOST_AUTO_TEST_CASE(a_build_in_progress_is_waited_for_however_long_it_takes) {
  // The old wait gave up after 60 minutes; a table of a few hundred GB backfills for hours.
  for (const std::chrono::seconds elapsed : {0s, 3540s, 3660s, 172800s}) {  // to 48 h
    const evstore::index_build_state judged =
        evstore::judge_index_build(building(), "streamIndex", elapsed);
    BOOST_TEST_CONTEXT("after " << elapsed.count() << " s") {
      BOOST_CHECK(judged.step == index_build_step::wait);
      BOOST_TEST(judged.description.find("streamIndex") != std::string::npos);
      BOOST_TEST(judged.description.find("backfilling") != std::string::npos);
    }
  }
  ddb::table_description settling = building();
  settling.table_status = "ACTIVE";
  settling.global_secondary_indexes[2].backfilling = false;
  BOOST_CHECK(evstore::judge_index_build(settling, "streamIndex", 3h).step ==
              index_build_step::wait);
}

BOOST_AUTO_TEST_CASE(progress_lines_say_how_long_and_how_far) {
  ddb::table_description table = building();
  table.item_count = 5'000'000;
  table.global_secondary_indexes[2].item_count = 1'200'000;
  const std::string line = evstore::judge_index_build(table, "streamIndex", 75min).description;
  BOOST_TEST(line.find("'p-schemeless-event-store'") != std::string::npos, line);
  BOOST_TEST(line.find("after 75 min") != std::string::npos, line);
  BOOST_TEST(line.find("1200000 of the table's 5000000 items") != std::string::npos, line);
}

BOOST_AUTO_TEST_CASE(an_active_table_with_the_index_ends_the_wait) {
  ddb::table_description table = building();
  table.table_status = "ACTIVE";
  table.global_secondary_indexes[2] = index("streamIndex", "ACTIVE");
  BOOST_CHECK(evstore::judge_index_build(table, "streamIndex", 2h).step == index_build_step::done);
}

BOOST_AUTO_TEST_CASE(a_build_that_cannot_finish_fails_at_once) {
  ddb::table_description gone = building();
  gone.global_secondary_indexes.pop_back();
  gone.table_status = "ACTIVE";
  const evstore::index_build_state missing = evstore::judge_index_build(gone, "streamIndex", 1s);
  BOOST_CHECK(missing.step == index_build_step::fail);
  BOOST_TEST(missing.description.find("streamIndex") != std::string::npos);

  ddb::table_description dropped = building();
  dropped.global_secondary_indexes[2].index_status = "DELETING";
  BOOST_CHECK(evstore::judge_index_build(dropped, "streamIndex", 1s).step ==
              index_build_step::fail);

  ddb::table_description deleting = building();
  deleting.table_status = "DELETING";
  BOOST_CHECK(evstore::judge_index_build(deleting, "streamIndex", 1s).step ==
              index_build_step::fail);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
