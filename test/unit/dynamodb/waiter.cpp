#include <boost/test/unit_test.hpp>

#include "evstore/dynamodb/tables.hpp"
#include "evstore/dynamodb/waiter.hpp"
#include "recorded.hpp"

BOOST_AUTO_TEST_SUITE(waiter)

namespace ddb = evstore::dynamodb;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(active_state) {
  auto table = ddb::parse_describe_table_result(ddb::test::recorded_body("describe_table")).table;
  BOOST_TEST((ddb::table_active_state(table) == ddb::waiter_state::done));

  // Recorded while the index added by UpdateTable was still CREATING.
  const auto creating =
      ddb::parse_describe_table_result(ddb::test::recorded_body("describe_table_gsi_creating"))
          .table;
  BOOST_TEST(creating.table_status == "ACTIVE");
  BOOST_TEST((ddb::table_active_state(creating) == ddb::waiter_state::retry));

  for (const char* status : {"CREATING", "UPDATING"}) {
    table.table_status = status;
    BOOST_TEST((ddb::table_active_state(table) == ddb::waiter_state::retry), status);
  }
  for (const char* status : {"DELETING", "ARCHIVED", "INACCESSIBLE_ENCRYPTION_CREDENTIALS"}) {
    table.table_status = status;
    BOOST_TEST((ddb::table_active_state(table) == ddb::waiter_state::failed), status);
  }
}

BOOST_AUTO_TEST_CASE(delays_double_up_to_the_cap) {
  const ddb::waiter_options options{.initial_delay = 20ms, .max_delay = 150ms, .timeout = 1s};
  BOOST_TEST(ddb::waiter_delay(options, 1).count() == 20);
  BOOST_TEST(ddb::waiter_delay(options, 2).count() == 40);
  BOOST_TEST(ddb::waiter_delay(options, 3).count() == 80);
  BOOST_TEST(ddb::waiter_delay(options, 4).count() == 150);
  BOOST_TEST(ddb::waiter_delay(options, 1000000).count() == 150);
}

BOOST_AUTO_TEST_SUITE_END()
