#include "stats.hpp"

#include <cstdio>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "evstore/store/time.hpp"
#include "progress.hpp"

namespace evstore::cli {
namespace {

namespace json = boost::json;

std::string units_text(double units) {
  char text[48];
  std::snprintf(text, sizeof text, "%.1f", units);
  return text;
}

std::string quantile_text(const aws::latency_histogram& latency, double q) {
  auto bound = latency.quantile_bound(q);
  if (bound) return "<= " + std::to_string(bound->count()) + " ms";
  return latency.total() == 0
             ? "-"
             : "> " + std::to_string(aws::latency_bucket_bounds.back().count()) + " ms";
}

std::string service_text(const aws::service_metrics_snapshot& s) {
  return with_thousands(s.requests) + " requests, " + with_thousands(s.retries) + " retries, " +
         with_thousands(s.errors.throttling) + " throttled, " + with_thousands(s.failed_requests) +
         " failed, " + units_text(s.consumed_capacity_units) + " capacity units, p50 " +
         quantile_text(s.latency, 0.5) + ", p99 " + quantile_text(s.latency, 0.99);
}

json::value quantile_json(const aws::latency_histogram& latency, double q) {
  auto bound = latency.quantile_bound(q);
  if (bound) return json::value(bound->count());
  return nullptr;
}

json::object service_json(const aws::service_metrics_snapshot& s) {
  json::array buckets;
  for (std::size_t i = 0; i < s.latency.counts.size(); ++i) {
    json::object bucket;
    if (i < aws::latency_bucket_bounds.size()) {
      bucket["leMs"] = aws::latency_bucket_bounds[i].count();
    } else {
      bucket["leMs"] = nullptr;  // slower than every bound
    }
    bucket["count"] = s.latency.counts[i];
    buckets.push_back(std::move(bucket));
  }
  return {
      {"requests", s.requests},
      {"attempts", s.attempts},
      {"retries", s.retries},
      {"failedRequests", s.failed_requests},
      {"errors",
       {{"throttling", s.errors.throttling},
        {"server", s.errors.server},
        {"client", s.errors.client},
        {"clockSkew", s.errors.clock_skew},
        {"timeout", s.errors.timeout},
        {"transport", s.errors.transport}}},
      {"consumedCapacityUnits", s.consumed_capacity_units},
      {"latency",
       {{"p50Ms", quantile_json(s.latency, 0.5)},
        {"p99Ms", quantile_json(s.latency, 0.99)},
        {"buckets", std::move(buckets)}}},
  };
}

}  // namespace

std::string stats_text(const table_stats& stats) {
  std::string text;
  auto row = [&text](std::string_view name, const std::string& value) {
    text += name;
    text.append(name.size() < 12 ? 12 - name.size() : 1, ' ');
    text += value;
    text += '\n';
  };
  row("table", stats.table_name);
  row("events", with_thousands(stats.events));
  row("streams", with_thousands(stats.streams));
  row("months", stats.months
                    ? time_bucket(stats.months->first) + " .. " + time_bucket(stats.months->last)
                    : std::string("none recorded"));
  row("scan", with_thousands(stats.scan.items_read) + " items read, " +
                  units_text(stats.scan.capacity_units) + " read capacity units");
  row("dynamodb", service_text(stats.requests.dynamodb));
  row("s3", service_text(stats.requests.s3));
  return text;
}

std::string stats_json(const table_stats& stats) {
  json::value months = nullptr;
  if (stats.months) {
    months = json::object{{"first", time_bucket(stats.months->first)},
                          {"last", time_bucket(stats.months->last)}};
  }
  const json::object document{
      {"table", stats.table_name},
      {"events", stats.events},
      {"streams", stats.streams},
      {"months", std::move(months)},
      {"scan",
       {{"itemsRead", stats.scan.items_read}, {"capacityUnits", stats.scan.capacity_units}}},
      {"requests",
       {{"dynamodb", service_json(stats.requests.dynamodb)},
        {"s3", service_json(stats.requests.s3)}}},
  };
  return json::serialize(document) + "\n";
}

}  // namespace evstore::cli
