#include "store/replay_order.hpp"

#include <algorithm>
#include <tuple>

#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

const std::string& key_attribute(const ddb::item& entry, std::string_view name) {
  const auto found = entry.find(name);
  if (found == entry.end() || found->second.type() != ddb::attribute_type::s) {
    throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                      "a timeBucketIndex entry lacks the string attribute '" +
                                          std::string(name) + "': inspect the table and its index");
  }
  return found->second.as_string();
}

}  // namespace

index_key index_key_of(const ddb::item& entry) {
  return index_key{key_attribute(entry, "created"), key_attribute(entry, "id")};
}

replay_key replay_key_of(const decoded_item& item) {
  const event& e = item.value;
  return replay_key{item.created_key, e.domain, e.identifier.value_or(""), e.sequence, e.id};
}

bool replays_before(const decoded_item& a, const decoded_item& b) {
  // Compared in place: a page's events are sorted without copying their keys.
  static const std::string none;
  const auto tie = [](const decoded_item& item) {
    const event& e = item.value;
    return std::tie(item.created_key, e.domain, e.identifier ? *e.identifier : none, e.sequence,
                    e.id);
  };
  return tie(a) < tie(b);
}

void sort_in_replay_order(std::vector<decoded_item>& items) {
  if (std::is_sorted(items.begin(), items.end(), replays_before)) return;
  std::sort(items.begin(), items.end(), replays_before);
}

ddb::item primary_key_of(const index_key& key) {
  ddb::item item;
  item.emplace("id", ddb::attribute_value::string(key.id));
  item.emplace("created", ddb::attribute_value::string(key.created));
  return item;
}

void bucket_orderer::release_held() {
  std::sort(held_.begin(), held_.end());
  std::move(held_.begin(), held_.end(), std::back_inserter(ready_));
  held_.clear();
}

void bucket_orderer::add_page(std::vector<index_key> page, bool last_page) {
  for (index_key& key : page) {
    if (!held_.empty() && key.created != held_.front().created) {
      if (key.created < held_.front().created) {
        throw boost::system::system_error(make_error_code(store_errc::corrupt_item),
                                          "timeBucketIndex returned '" + key.created + "' after '" +
                                              held_.front().created +
                                              "': the index is not in created order");
      }
      release_held();
    }
    held_.push_back(std::move(key));
  }
  if (last_page) {
    release_held();
    finished_ = true;
  }
}

bucket_merge::bucket_merge(std::size_t buckets, std::optional<std::string> from_created)
    : buckets_(buckets), from_created_(std::move(from_created)) {}

void bucket_merge::add_page(std::size_t bucket, std::vector<index_key> page, bool last_page) {
  buckets_.at(bucket).add_page(std::move(page), last_page);
}

std::vector<std::size_t> bucket_merge::starving() const {
  std::vector<std::size_t> starving;
  for (std::size_t b = 0; b < buckets_.size(); ++b)
    if (!buckets_[b].finished() && buckets_[b].ready().empty()) starving.push_back(b);
  return starving;
}

bucket_orderer* bucket_merge::least() {
  for (;;) {
    bucket_orderer* least = nullptr;
    for (bucket_orderer& bucket : buckets_) {
      if (bucket.ready().empty()) {
        if (!bucket.finished()) return nullptr;  // its next key may be the least
        continue;
      }
      if (!least || bucket.ready().front() < least->ready().front()) least = &bucket;
    }
    if (!least || !from_created_ || least->ready().front().created >= *from_created_) return least;
    least->ready().pop_front();
  }
}

const index_key* bucket_merge::peek() {
  bucket_orderer* bucket = least();
  return bucket ? &bucket->ready().front() : nullptr;
}

std::optional<index_key> bucket_merge::pop() {
  bucket_orderer* bucket = least();
  if (!bucket) return std::nullopt;
  index_key key = std::move(bucket->ready().front());
  bucket->ready().pop_front();
  return key;
}

bool bucket_merge::done() const {
  return std::all_of(buckets_.begin(), buckets_.end(), [](const bucket_orderer& bucket) {
    return bucket.finished() && bucket.ready().empty();
  });
}

}  // namespace evstore
