#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include "evstore/store/errors.hpp"
#include "evstore/store/metadata_item.hpp"

using namespace evstore;
namespace ddb = evstore::dynamodb;
namespace chr = std::chrono;

namespace {

ddb::item metadata(std::string first, std::string last, std::string shards) {
  ddb::item item = metadata_item_key();
  if (!first.empty()) item.emplace("firstMonth", ddb::attribute_value::string(first));
  if (!last.empty()) item.emplace("lastMonth", ddb::attribute_value::string(last));
  if (!shards.empty()) item.emplace("shards", ddb::attribute_value::number(shards));
  return item;
}

bool corrupt_naming(const ddb::item& item, std::string_view what) {
  try {
    metadata_from_item(item);
  } catch (const boost::system::system_error& error) {
    return error.code() == store_errc::corrupt_item &&
           std::string(error.what()).find(what) != std::string::npos;
  }
  return false;
}

constexpr chr::year_month ym(int y, unsigned m) {
  return chr::year{y} / chr::month{m};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_metadata_item)

BOOST_AUTO_TEST_CASE(the_item_is_invisible_to_the_time_index) {
  const ddb::item key = metadata_item_key();
  BOOST_TEST(key.at("id").as_string() == "EventID#META::months");
  BOOST_TEST(key.at("created").as_string() == "META");
  BOOST_TEST(key.size() == 2u);
  const ddb::update_item_request request =
      extend_months_request("t", month_range{ym(2015, 3), ym(2027, 1)}, 4);
  BOOST_TEST(request.update_expression.find("timeBucket") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(reads_range_and_shards) {
  const table_metadata read = metadata_from_item(metadata("2015-03", "2027-01", "4"));
  BOOST_TEST_REQUIRE(read.months.has_value());
  BOOST_TEST((read.months->first == ym(2015, 3)));
  BOOST_TEST((read.months->last == ym(2027, 1)));
  BOOST_TEST((read.shards == 4u));

  const table_metadata shards_only = metadata_from_item(metadata("", "", "1"));
  BOOST_TEST(!shards_only.months.has_value());
  BOOST_TEST((shards_only.shards == 1u));
  BOOST_TEST(!metadata_from_item(metadata("", "", "")).shards.has_value());
}

BOOST_AUTO_TEST_CASE(rejects_what_it_cannot_trust) {
  BOOST_TEST(corrupt_naming(metadata("2015-03", "", "1"), "only one of"));
  BOOST_TEST(corrupt_naming(metadata("2016-01", "2015-12", "1"), "later than"));
  BOOST_TEST(corrupt_naming(metadata("2015-13", "2016-01", "1"), "firstMonth' of '2015-13'"));
  BOOST_TEST(corrupt_naming(metadata("2015-01", "2016-01", "0"), "outside 1..256"));
  BOOST_TEST(corrupt_naming(metadata("2015-01", "2016-01", "2.5"), "not a count"));
  ddb::item wrong_type = metadata("", "", "1");
  wrong_type["firstMonth"] = ddb::attribute_value::number(201501);
  wrong_type["lastMonth"] = ddb::attribute_value::string("2015-01");
  BOOST_TEST(corrupt_naming(wrong_type, "not a string"));
}

BOOST_AUTO_TEST_CASE(covering_and_widening) {
  const month_range range{ym(2024, 1), ym(2024, 6)};
  BOOST_TEST(covers(range, {ym(2024, 1), ym(2024, 6)}));
  BOOST_TEST(!covers(range, {ym(2024, 3), ym(2024, 7)}));
  BOOST_TEST(!covers(std::nullopt, {ym(2024, 3)}));
  BOOST_TEST(covers(std::nullopt, {}));

  const month_range wider = widened(range, {ym(2015, 3), ym(2024, 2)});
  BOOST_TEST((wider.first == ym(2015, 3)));
  BOOST_TEST((wider.last == ym(2024, 6)));
  const month_range fresh = widened(std::nullopt, {ym(2027, 1), ym(2015, 3)});
  BOOST_TEST((fresh.first == ym(2015, 3)));
  BOOST_TEST((fresh.last == ym(2027, 1)));
  BOOST_CHECK_THROW(widened(std::nullopt, {}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(extending_never_narrows_what_another_writer_recorded) {
  const ddb::update_item_request request =
      extend_months_request("events", month_range{ym(2015, 3), ym(2027, 1)}, 4);
  BOOST_TEST(request.table_name == "events");
  BOOST_TEST(request.values.at(":first").as_string() == "2015-03");
  BOOST_TEST(request.values.at(":last").as_string() == "2027-01");
  BOOST_TEST(request.values.at(":shards").as_number_text() == "4");
  BOOST_TEST_REQUIRE(request.condition_expression.has_value());
  BOOST_TEST(*request.condition_expression ==
             "(attribute_not_exists(#first) OR #first >= :first) AND "
             "(attribute_not_exists(#last) OR #last <= :last)");
  BOOST_TEST(request.update_expression.find("if_not_exists(#shards, :shards)") !=
             std::string::npos);
  BOOST_TEST((request.return_values_on_condition_check_failure ==
              ddb::return_values_on_condition_check_failure::all_old));

  const ddb::update_item_request shards = record_shards_request("events", 2);
  BOOST_TEST(!shards.condition_expression.has_value());
  BOOST_TEST(shards.update_expression == "SET #shards = if_not_exists(#shards, :shards)");
}

BOOST_AUTO_TEST_CASE(shard_counts_are_bounded) {
  BOOST_TEST(checked_shard_count(0) == 1u);
  BOOST_TEST(checked_shard_count(16) == 16u);
  BOOST_CHECK_THROW(checked_shard_count(257), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
