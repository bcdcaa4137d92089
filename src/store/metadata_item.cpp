#include "evstore/store/metadata_item.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/time.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

[[noreturn]] void corrupt(const std::string& what) {
  throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                    "the table's metadata item (" + std::string(metadata_item_id) +
                                        ") " + what +
                                        ": fix or delete the item (replay then probes months and "
                                        "`evstore migrate` records them again)");
}

std::optional<std::chrono::year_month> month_attribute(const ddb::item& item,
                                                       std::string_view name) {
  const auto found = item.find(name);
  if (found == item.end()) return std::nullopt;
  if (found->second.type() != ddb::attribute_type::s)
    corrupt("has a '" + std::string(name) + "' that is not a string");
  try {
    return parse_time_bucket(found->second.as_string());
  } catch (const boost::system::system_error&) {
    corrupt("has a '" + std::string(name) + "' of '" + found->second.as_string() +
            "', not YYYY-MM");
  }
}

}  // namespace

ddb::item metadata_item_key() {
  ddb::item key;
  key.emplace("id", ddb::attribute_value::string(std::string(metadata_item_id)));
  key.emplace("created", ddb::attribute_value::string(std::string(metadata_item_created)));
  return key;
}

table_metadata metadata_from_item(const ddb::item& item) {
  table_metadata metadata;
  const auto first = month_attribute(item, "firstMonth");
  const auto last = month_attribute(item, "lastMonth");
  if (first.has_value() != last.has_value()) corrupt("has only one of firstMonth and lastMonth");
  if (first) {
    if (*first > *last) corrupt("has a firstMonth later than its lastMonth");
    metadata.months = month_range{*first, *last};
  }
  if (const auto shards = item.find("shards"); shards != item.end()) {
    if (shards->second.type() != ddb::attribute_type::n) corrupt("has a 'shards' not a number");
    std::uint64_t count = 0;
    try {
      count = shards->second.as_uint64();
    } catch (const boost::system::system_error&) {
      corrupt("has a 'shards' of " + shards->second.as_number_text() + ", not a count");
    }
    if (count < 1 || count > max_time_bucket_shards)
      corrupt("has a 'shards' of " + std::to_string(count) + ", outside 1.." +
              std::to_string(max_time_bucket_shards));
    metadata.shards = static_cast<unsigned>(count);
  }
  return metadata;
}

bool covers(const std::optional<month_range>& range,
            const std::vector<std::chrono::year_month>& months) {
  return std::all_of(months.begin(), months.end(), [&](std::chrono::year_month m) {
    return range && range->first <= m && m <= range->last;
  });
}

month_range widened(const std::optional<month_range>& range,
                    const std::vector<std::chrono::year_month>& months) {
  if (!range && months.empty())
    throw std::invalid_argument("widened: neither a range nor a month to start from");
  month_range result = range ? *range : month_range{months.front(), months.front()};
  for (const std::chrono::year_month m : months) {
    result.first = std::min(result.first, m);
    result.last = std::max(result.last, m);
  }
  return result;
}

unsigned checked_shard_count(unsigned configured) {
  if (configured > max_time_bucket_shards)
    throw std::invalid_argument("repo_options::time_bucket_shards is " +
                                std::to_string(configured) + "; at most " +
                                std::to_string(max_time_bucket_shards) + " are supported");
  return std::max(configured, 1u);
}

ddb::update_item_request extend_months_request(std::string table, const month_range& wanted,
                                               unsigned shards) {
  ddb::update_item_request request;
  request.table_name = std::move(table);
  request.key = metadata_item_key();
  request.update_expression =
      "SET #first = :first, #last = :last, #shards = if_not_exists(#shards, :shards)";
  // `YYYY-MM` text sorts as the months do, so DynamoDB can compare the stored range.
  request.condition_expression =
      "(attribute_not_exists(#first) OR #first >= :first) AND "
      "(attribute_not_exists(#last) OR #last <= :last)";
  request.names = {{"#first", "firstMonth"}, {"#last", "lastMonth"}, {"#shards", "shards"}};
  request.values = {{":first", ddb::attribute_value::string(time_bucket(wanted.first))},
                    {":last", ddb::attribute_value::string(time_bucket(wanted.last))},
                    {":shards", ddb::attribute_value::number(shards)}};
  request.return_values = ddb::return_values::all_new;
  request.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  return request;
}

ddb::update_item_request record_shards_request(std::string table, unsigned shards) {
  ddb::update_item_request request;
  request.table_name = std::move(table);
  request.key = metadata_item_key();
  request.update_expression = "SET #shards = if_not_exists(#shards, :shards)";
  request.names = {{"#shards", "shards"}};
  request.values = {{":shards", ddb::attribute_value::number(shards)}};
  request.return_values = ddb::return_values::all_new;
  return request;
}

}  // namespace evstore
