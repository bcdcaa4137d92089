#include <boost/test/unit_test.hpp>

#include <stdexcept>

#include "evstore/store/errors.hpp"
#include "store/metadata_item.hpp"

BOOST_AUTO_TEST_SUITE(metadata_item)

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

BOOST_AUTO_TEST_CASE(the_complete_marker_is_a_month) {
  ddb::item item = metadata("2015-03", "2016-01", "1");
  BOOST_TEST(!metadata_from_item(item).complete_since.has_value());
  item.emplace("completeSince", ddb::attribute_value::string("2026-12"));
  BOOST_TEST((metadata_from_item(item).complete_since == ym(2026, 12)));
  item["completeSince"] = ddb::attribute_value::boolean(true);
  BOOST_TEST(corrupt_naming(item, "'completeSince' that is not a string"));
  item["completeSince"] = ddb::attribute_value::string("yes");
  BOOST_TEST(corrupt_naming(item, "not YYYY-MM"));
}

BOOST_AUTO_TEST_CASE(only_migrate_and_init_write_the_marker) {
  const month_range range{ym(2015, 3), ym(2027, 1)};
  const ddb::update_item_request widen = extend_months_request("t", range, 4);
  BOOST_TEST(widen.update_expression.find("completeSince") == std::string::npos);
  BOOST_TEST(widen.names.count("#complete") == 0u);

  const ddb::update_item_request complete =
      extend_months_request("t", range, 4, months_write::complete, ym(2026, 12));
  BOOST_TEST(complete.update_expression ==
             "SET #first = :first, #last = :last, #shards = :shards, #complete = :complete");
  BOOST_TEST(complete.names.at("#complete") == "completeSince");
  BOOST_TEST(complete.values.at(":complete").as_string() == "2026-12");
  // Still never narrows what a concurrent append recorded.
  BOOST_TEST(*complete.condition_expression == *widen.condition_expression);

  const ddb::update_item_request init = record_shards_request("t", 2, ym(2026, 12));
  BOOST_TEST(init.update_expression ==
             "SET #shards = if_not_exists(#shards, :shards), "
             "#complete = if_not_exists(#complete, :complete)");
  const ddb::update_item_request empty_migrate = record_shards_request("t", 2, ym(2026, 12), true);
  BOOST_TEST(empty_migrate.update_expression ==
             "SET #shards = if_not_exists(#shards, :shards), #complete = :complete");
}

BOOST_AUTO_TEST_CASE(a_corrupt_item_is_replaced_only_as_it_was_read) {
  ddb::item stored = metadata_item_key();
  stored.emplace("firstMonth", ddb::attribute_value::number(201501));
  stored.emplace("shards", ddb::attribute_value::string("four"));
  const ddb::update_item_request request = replace_metadata_request(
      "t", stored, month_range{ym(1965, 1), ym(2150, 12)}, 4, ym(2026, 12));
  BOOST_TEST(*request.condition_expression ==
             "#first = :old_firstMonth AND attribute_not_exists(#last) AND "
             "#shards = :old_shards AND attribute_not_exists(#complete)");
  BOOST_TEST(request.values.at(":old_firstMonth").as_number_text() == "201501");
  BOOST_TEST(request.values.at(":old_shards").as_string() == "four");
  BOOST_TEST(request.values.at(":first").as_string() == "1965-01");
  BOOST_TEST(request.values.at(":last").as_string() == "2150-12");
  BOOST_TEST(request.update_expression ==
             "SET #shards = :shards, #complete = :complete, #first = :first, #last = :last");

  const ddb::update_item_request none =
      replace_metadata_request("t", stored, std::nullopt, 1, ym(2026, 12));
  BOOST_TEST(none.update_expression ==
             "SET #shards = :shards, #complete = :complete REMOVE #first, #last");
}

BOOST_AUTO_TEST_CASE(a_survey_maps_plain_and_shard_buckets_to_months) {
  month_survey survey;
  for (const char* bucket : {"2024-05", "2024-05#3", "1965-01", "2150-12#0", "2024-06#12"})
    survey.add(bucket);
  BOOST_TEST(survey.months.size() == 4u);
  BOOST_TEST((*survey.months.begin() == ym(1965, 1)));
  BOOST_TEST((*survey.months.rbegin() == ym(2150, 12)));
  BOOST_TEST(survey.shards == 13u);
  BOOST_TEST(survey.unreadable == 0u);
  for (const char* bucket :
       {"2024-13", "2024-05#", "2024-05#x", "2024-05#07", "2024-05#256", "x", "", "2024-5"})
    survey.add(bucket);
  BOOST_TEST(survey.unreadable == 8u);
  BOOST_TEST(survey.months.size() == 4u);

  month_survey other;
  other.add("2000-02#20");
  survey.merge(other);
  BOOST_TEST(survey.months.size() == 5u);
  BOOST_TEST(survey.shards == 21u);
  BOOST_TEST(survey.unreadable == 8u);
}

BOOST_AUTO_TEST_CASE(only_a_complete_item_spares_the_survey) {
  table_metadata complete;
  complete.months = month_range{ym(2024, 1), ym(2024, 3)};
  complete.complete_since = ym(2024, 3);
  table_metadata incomplete = complete;
  incomplete.complete_since.reset();
  BOOST_TEST(!needs_survey(complete, {}));
  BOOST_TEST(needs_survey(incomplete, {}));
  BOOST_TEST(needs_survey(std::nullopt, {}));
  BOOST_TEST(needs_survey(incomplete, replay_bounds{.first_month = ym(2024, 1)}));
  BOOST_TEST(!needs_survey(incomplete,
                           replay_bounds{.first_month = ym(2024, 1), .last_month = ym(2024, 2)}));
  // Without a trusted item the shard count is only known from the index.
  BOOST_TEST(needs_survey(std::nullopt,
                          replay_bounds{.first_month = ym(2024, 1), .last_month = ym(2024, 2)}));
}

BOOST_AUTO_TEST_CASE(the_replayed_span_holds_every_known_month_and_now) {
  const chr::year_month now = ym(2026, 12);
  table_metadata complete;
  complete.months = month_range{ym(2024, 1), ym(2024, 3)};
  complete.shards = 4;
  complete.complete_since = ym(2024, 3);
  replay_span span = plan_replay_span(complete, std::nullopt, now, {});
  BOOST_TEST((span.first == ym(2024, 1)));
  BOOST_TEST((span.last == now));
  BOOST_TEST(span.shards == 4u);

  // Marked complete on an empty table: from that month on (the adapter's unrecorded writes).
  table_metadata empty;
  empty.complete_since = ym(2025, 6);
  span = plan_replay_span(empty, std::nullopt, now, {});
  BOOST_TEST((span.first == ym(2025, 6)));
  BOOST_TEST((span.last == now));
  BOOST_TEST(span.shards == 1u);

  // A narrow incomplete item united with what the index holds, shards from both.
  table_metadata narrow;
  narrow.months = month_range{ym(2026, 12), ym(2026, 12)};
  narrow.shards = 1;
  month_survey survey;
  for (const char* bucket : {"1965-01#2", "2150-12", "2026-12"}) survey.add(bucket);
  span = plan_replay_span(narrow, survey, now, {});
  BOOST_TEST((span.first == ym(1965, 1)));
  BOOST_TEST((span.last == ym(2150, 12)));
  BOOST_TEST(span.shards == 3u);

  // Nothing anywhere: the current month only.
  span = plan_replay_span(std::nullopt, month_survey{}, now, {});
  BOOST_TEST((span.first == now));
  BOOST_TEST((span.last == now));

  // Caller bounds win; a resumed replay starts no earlier than its cursor's month.
  span = plan_replay_span(
      narrow, survey, now,
      {.first_month = ym(2000, 1), .last_month = ym(2030, 1), .resume_month = ym(2010, 5)});
  BOOST_TEST((span.first == ym(2010, 5)));
  BOOST_TEST((span.last == ym(2030, 1)));
  span = plan_replay_span(narrow, survey, now, {.resume_month = ym(1964, 5)});
  BOOST_TEST((span.first == ym(1965, 1)));
}

BOOST_AUTO_TEST_CASE(event_months_are_the_recorded_and_surveyed_ones) {
  BOOST_TEST(!known_event_months(std::nullopt, std::nullopt).has_value());
  BOOST_TEST(!known_event_months(table_metadata{}, month_survey{}).has_value());
  table_metadata recorded;
  recorded.months = month_range{ym(2024, 1), ym(2024, 3)};
  month_survey survey;
  survey.add("2023-07#1");
  const std::optional<month_range> months = known_event_months(recorded, survey);
  BOOST_TEST_REQUIRE(months.has_value());
  BOOST_TEST((months->first == ym(2023, 7)));
  BOOST_TEST((months->last == ym(2024, 3)));
}

BOOST_AUTO_TEST_CASE(shard_counts_are_bounded) {
  BOOST_TEST(checked_shard_count(0) == 1u);
  BOOST_TEST(checked_shard_count(16) == 16u);
  BOOST_CHECK_THROW(checked_shard_count(257), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
