#include "store/metadata_item.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <utility>

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
                                        ": run `evstore migrate`, which rebuilds it from the table "
                                        "(replay finds the months from the time index "
                                        "meanwhile)");
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
  metadata.complete_since = month_attribute(item, "completeSince");
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
                                               unsigned shards, months_write kind,
                                               std::chrono::year_month complete_since) {
  ddb::update_item_request request;
  request.table_name = std::move(table);
  request.key = metadata_item_key();
  if (kind == months_write::widen) {
    request.update_expression =
        "SET #first = :first, #last = :last, #shards = if_not_exists(#shards, :shards)";
  } else {
    request.update_expression =
        "SET #first = :first, #last = :last, #shards = :shards, #complete = :complete";
    request.names.emplace("#complete", "completeSince");
    request.values.emplace(":complete", ddb::attribute_value::string(time_bucket(complete_since)));
  }
  // `YYYY-MM` text sorts as the months do, so DynamoDB can compare the stored range.
  request.condition_expression =
      "(attribute_not_exists(#first) OR #first >= :first) AND "
      "(attribute_not_exists(#last) OR #last <= :last)";
  request.names.emplace("#first", "firstMonth");
  request.names.emplace("#last", "lastMonth");
  request.names.emplace("#shards", "shards");
  request.values.emplace(":first", ddb::attribute_value::string(time_bucket(wanted.first)));
  request.values.emplace(":last", ddb::attribute_value::string(time_bucket(wanted.last)));
  request.values.emplace(":shards", ddb::attribute_value::number(shards));
  request.return_values = ddb::return_values::all_new;
  request.return_values_on_condition_check_failure =
      ddb::return_values_on_condition_check_failure::all_old;
  return request;
}

ddb::update_item_request record_shards_request(
    std::string table, unsigned shards, std::optional<std::chrono::year_month> complete_since,
    bool replace_marker) {
  ddb::update_item_request request;
  request.table_name = std::move(table);
  request.key = metadata_item_key();
  request.update_expression = "SET #shards = if_not_exists(#shards, :shards)";
  request.names = {{"#shards", "shards"}};
  request.values = {{":shards", ddb::attribute_value::number(shards)}};
  if (complete_since) {
    request.update_expression += replace_marker
                                     ? ", #complete = :complete"
                                     : ", #complete = if_not_exists(#complete, :complete)";
    request.names.emplace("#complete", "completeSince");
    request.values.emplace(":complete", ddb::attribute_value::string(time_bucket(*complete_since)));
  }
  request.return_values = ddb::return_values::all_new;
  return request;
}

ddb::update_item_request replace_metadata_request(std::string table, const ddb::item& stored,
                                                  const std::optional<month_range>& months,
                                                  unsigned shards,
                                                  std::chrono::year_month complete_since) {
  ddb::update_item_request request;
  request.table_name = std::move(table);
  request.key = metadata_item_key();
  request.names = {{"#first", "firstMonth"},
                   {"#last", "lastMonth"},
                   {"#shards", "shards"},
                   {"#complete", "completeSince"}};
  request.values = {{":shards", ddb::attribute_value::number(shards)},
                    {":complete", ddb::attribute_value::string(time_bucket(complete_since))}};
  request.update_expression = "SET #shards = :shards, #complete = :complete";
  if (months) {
    request.update_expression += ", #first = :first, #last = :last";
    request.values.emplace(":first", ddb::attribute_value::string(time_bucket(months->first)));
    request.values.emplace(":last", ddb::attribute_value::string(time_bucket(months->last)));
  } else {
    request.update_expression += " REMOVE #first, #last";
  }
  // Each attribute the item is read by as it was read (any type compares with `=`), or still
  // absent.
  std::string condition;
  for (const auto& [placeholder, name] :
       std::vector<std::pair<std::string, std::string>>{{"#first", "firstMonth"},
                                                        {"#last", "lastMonth"},
                                                        {"#shards", "shards"},
                                                        {"#complete", "completeSince"}}) {
    if (!condition.empty()) condition += " AND ";
    const auto found = stored.find(name);
    if (found == stored.end()) {
      condition += "attribute_not_exists(" + placeholder + ")";
    } else {
      const std::string value = ":old_" + name;
      condition += placeholder + " = " + value;
      request.values.emplace(value, found->second);
    }
  }
  request.condition_expression = std::move(condition);
  return request;
}

void month_survey::add(std::string_view bucket) {
  const std::size_t mark = bucket.find('#');
  try {
    const std::chrono::year_month month = parse_time_bucket(bucket.substr(0, mark));
    unsigned shard = 0;
    if (mark != std::string_view::npos) {
      const std::string_view digits = bucket.substr(mark + 1);
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), shard);
      // Replay reads shard buckets in evstore's own spelling only: `#` and a count < 256.
      if (error != std::errc{} || end != digits.data() + digits.size() || digits.empty() ||
          (digits.size() > 1 && digits.front() == '0') || shard >= max_time_bucket_shards) {
        ++unreadable;
        return;
      }
      shards = std::max(shards, shard + 1);
    }
    months.insert(month);
  } catch (const boost::system::system_error&) {
    ++unreadable;
  }
}

void month_survey::merge(const month_survey& other) {
  months.insert(other.months.begin(), other.months.end());
  shards = std::max(shards, other.shards);
  unreadable += other.unreadable;
}

bool needs_survey(const std::optional<table_metadata>& metadata, const replay_bounds& bounds) {
  if (!metadata) return true;
  return !metadata->complete_since && !(bounds.first_month && bounds.last_month);
}

std::optional<month_range> known_event_months(const std::optional<table_metadata>& metadata,
                                              const std::optional<month_survey>& survey) {
  std::optional<month_range> known = metadata ? metadata->months : std::nullopt;
  if (survey && !survey->months.empty()) {
    const std::vector<std::chrono::year_month> found(survey->months.begin(), survey->months.end());
    known = widened(known, found);
  }
  return known;
}

replay_span plan_replay_span(const std::optional<table_metadata>& metadata,
                             const std::optional<month_survey>& survey, std::chrono::year_month now,
                             const replay_bounds& bounds) {
  replay_span span;
  span.shards =
      std::max(metadata && metadata->shards ? *metadata->shards : 1u, survey ? survey->shards : 1u);
  span.first = now;
  span.last = now;
  if (const std::optional<month_range> known = known_event_months(metadata, survey)) {
    span.first = std::min(known->first, now);
    span.last = std::max(known->last, now);
  }
  if (metadata && metadata->complete_since)
    span.first = std::min(span.first, *metadata->complete_since);
  if (bounds.first_month) span.first = *bounds.first_month;
  if (bounds.last_month) span.last = *bounds.last_month;
  if (bounds.resume_month) span.first = std::max(span.first, *bounds.resume_month);
  return span;
}

}  // namespace evstore
