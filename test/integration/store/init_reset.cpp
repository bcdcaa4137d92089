#include <boost/test/unit_test.hpp>

#include <thread>

#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(init_reset)

using namespace evstore;
using evstore::test::store_fixture;

namespace {

void check_layout(store_fixture& f) {
  const dynamodb::table_description table =
      f.run(f.ddb.describe_table({.table_name = f.store.table_name()})).table;
  BOOST_TEST(table.table_status == "ACTIVE");
  BOOST_TEST(table.table_name == f.name + "-schemeless-event-store");
  BOOST_TEST_REQUIRE(table.key_schema.size() == 2u);
  BOOST_TEST(table.key_schema[0].attribute_name == "id");
  BOOST_TEST(table.key_schema[1].attribute_name == "created");
  BOOST_TEST_REQUIRE(table.global_secondary_indexes.size() == 3u);
  for (const auto& index : table.global_secondary_indexes) {
    BOOST_TEST(index.index_status == "ACTIVE");
    BOOST_TEST_REQUIRE(index.key_schema.size() == 2u);
    if (index.index_name == "streamIndex") {  // evstore's own (docs/streams-and-appends.md)
      BOOST_CHECK(index.projection.type == dynamodb::projection_type::keys_only);
      BOOST_TEST(index.key_schema[0].attribute_name == "stream");
      BOOST_TEST(index.key_schema[1].attribute_name == "sequence");
      continue;
    }
    BOOST_CHECK(index.projection.type == dynamodb::projection_type::keys_only);
    BOOST_TEST(index.key_schema[0].attribute_name ==
               (index.index_name == "timeBucketIndex" ? "timeBucket" : "causationId"));
    BOOST_TEST(index.key_schema[1].attribute_name == "created");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_init_reset)

BOOST_AUTO_TEST_CASE(init_creates_table_indexes_and_bucket_and_is_idempotent) {
  store_fixture f("init");
  BOOST_TEST(!f.run(f.s3.head_bucket(f.options.s3_bucket_name)));
  f.run(f.store.init());
  check_layout(f);
  BOOST_TEST(f.run(f.s3.head_bucket(f.options.s3_bucket_name)));
  f.run(f.store.init());  // again: nothing to do, no error
  check_layout(f);
}

BOOST_AUTO_TEST_CASE(init_in_two_processes_at_once_both_succeed) {
  store_fixture f("init-race");
  // Two independent repos (own io_context and connections, as two processes have) on the same
  // table and bucket, started together.
  auto init_elsewhere = [&] {
    boost::asio::io_context io;
    repo other(io.get_executor(), test::local_config(), f.options);
    test::run_for(io, other.init());
  };
  std::exception_ptr failure;
  std::thread second([&] {
    try {
      init_elsewhere();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  f.run(f.store.init());
  second.join();
  if (failure) std::rethrow_exception(failure);
  check_layout(f);
}

BOOST_AUTO_TEST_CASE(on_demand_billing_and_skip_options) {
  store_fixture f("init-opts", {.skip_bucket_creation = true, .on_demand = true});
  BOOST_TEST(f.options.s3_bucket_name.empty());  // no bucket named: none to check
  f.run(f.store.init());
  const auto table = f.run(f.ddb.describe_table({.table_name = f.store.table_name()})).table;
  BOOST_CHECK(table.billing_mode == dynamodb::billing_mode::pay_per_request);
}

BOOST_AUTO_TEST_CASE(init_with_skip_bucket_creation_fails_clearly_when_the_bucket_is_missing) {
  store_fixture f("init-nobucket");
  repo_options options = f.options;
  options.skip_bucket_creation = true;
  repo skipping(f.io.get_executor(), test::local_config(), options);
  try {
    f.run(skipping.init());
    BOOST_FAIL("expected init to fail on the missing bucket");
  } catch (const boost::system::system_error& error) {
    const std::string text = error.what();
    BOOST_CHECK(error.code() == boost::system::errc::no_such_file_or_directory);
    BOOST_TEST(text.find("'" + f.options.s3_bucket_name + "' does not exist") != std::string::npos,
               text);
    BOOST_TEST(text.find("skip_bucket_creation") != std::string::npos, text);
  }
  BOOST_TEST(!f.run(f.s3.head_bucket(f.options.s3_bucket_name)));
  f.run(f.store.init());  // creates the bucket
  f.run(skipping.init());
}

BOOST_AUTO_TEST_CASE(reset_empties_table_and_offloaded_objects) {
  store_fixture f("reset", {.offload_threshold_bytes = 2000});
  f.run(f.store.init());
  std::vector<event> events{
      test::make_event("d", "s", "small"),
      test::make_event("d", "s", "big", "\"" + std::string(5000, 'x') + "\"")};
  f.run(f.store.append(events));
  BOOST_TEST(f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "events/")).size() == 1u);

  f.run(f.store.reset_store());
  check_layout(f);
  BOOST_TEST(f.replay_all({.first_month = std::chrono::year{2000} / 1}).empty());
  BOOST_TEST(f.run(f.store.stream_sequence("d", "s")) == 0u);
  BOOST_TEST(f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "events/")).empty());

  // The stream starts again at 1, and keep_objects leaves S3 alone.
  BOOST_TEST(f.run(f.store.append(events)).back().sequence == 2u);
  auto keys = [&f] {
    std::vector<std::string> listed;
    for (const auto& object : f.run(f.s3.list_all_objects(f.options.s3_bucket_name, "events/")))
      listed.push_back(object.key);
    return listed;
  };
  const std::vector<std::string> kept = keys();
  BOOST_TEST(!kept.empty());
  f.run(f.store.reset_store(true));
  BOOST_TEST(keys() == kept, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
