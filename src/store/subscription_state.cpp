#include "store/subscription_state.hpp"

#include <algorithm>
#include <limits>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/system/system_error.hpp>

#include "aws/json_document.hpp"
#include "evstore/store/time.hpp"

namespace evstore {
namespace {

namespace json = boost::json;

constexpr std::int64_t checkpoint_version = 1;

[[noreturn]] void bad_checkpoint(const std::string& why) {
  throw boost::system::system_error(
      std::make_error_code(std::errc::invalid_argument),
      "subscription checkpoint: " + why + " (pass a checkpoint a subscription page gave)");
}

const json::value& member(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (!value) bad_checkpoint("member '" + std::string(name) + "' is missing");
  return *value;
}

std::string string_member(const json::object& object, std::string_view name) {
  const json::value& value = member(object, name);
  if (!value.is_string()) bad_checkpoint("member '" + std::string(name) + "' is not a string");
  return std::string(value.get_string());
}

/// A `created` text in a checkpoint: empty or a time (the sweep compares texts, the late window
/// subtracts from them).
std::string created_text(std::string text, std::string_view what) {
  if (text.empty()) return text;
  try {
    parse_iso8601(text);
  } catch (const boost::system::system_error&) {
    bad_checkpoint(std::string(what) + " '" + text + "' is not an ISO-8601 time");
  }
  return text;
}

stream_position position_of(const json::value& value) {
  const json::array* fields = value.if_array();
  if (!fields || fields->size() != 4 || !(*fields)[0].is_string() || !(*fields)[1].is_string() ||
      !(*fields)[3].is_string())
    bad_checkpoint("a stream is not [domain, identifier, sequence, created]");
  const json::value& sequence = (*fields)[2];
  std::uint64_t number = 0;
  if (sequence.is_uint64())
    number = sequence.get_uint64();
  else if (sequence.is_int64() && sequence.get_int64() > 0)
    number = static_cast<std::uint64_t>(sequence.get_int64());
  if (number == 0) bad_checkpoint("a stream's sequence is not a positive integer");
  stream_position position;
  position.domain = std::string((*fields)[0].get_string());
  position.identifier = std::string((*fields)[1].get_string());
  position.sequence = number;
  position.created = created_text(std::string((*fields)[3].get_string()), "a stream's created");
  if (position.domain.empty()) bad_checkpoint("a stream has an empty domain");
  return position;
}

}  // namespace

std::string encode_checkpoint(const subscription_checkpoint& checkpoint) {
  json::object object;
  object["v"] = checkpoint_version;
  object["swept"] = checkpoint.swept;
  object["floor"] = checkpoint.floor;
  json::array streams;
  streams.reserve(checkpoint.streams.size());
  for (const stream_position& p : checkpoint.streams)
    streams.push_back(json::array{json::string(p.domain), json::string(p.identifier),
                                  json::value(p.sequence), json::string(p.created)});
  object["streams"] = std::move(streams);
  return json::serialize(object);
}

subscription_checkpoint decode_checkpoint(std::string_view text) {
  std::string error;
  const std::optional<json::value> parsed = aws::detail::parse_json(text, error);
  if (!parsed) bad_checkpoint("not JSON (" + error + ")");
  const json::object* object = parsed->if_object();
  if (!object) bad_checkpoint("not a JSON object");
  const json::value& version = member(*object, "v");
  if (!version.is_int64() || version.get_int64() != checkpoint_version)
    bad_checkpoint("version is not " + std::to_string(checkpoint_version) +
                   " (written by another evstore version?)");
  subscription_checkpoint checkpoint;
  checkpoint.swept = created_text(string_member(*object, "swept"), "swept");
  checkpoint.floor = created_text(string_member(*object, "floor"), "floor");
  const json::value& streams = member(*object, "streams");
  if (!streams.is_array()) bad_checkpoint("member 'streams' is not an array");
  for (const json::value& stream : streams.get_array())
    checkpoint.streams.push_back(position_of(stream));
  return checkpoint;
}

std::string created_before(std::string_view text, std::chrono::milliseconds back) {
  if (text.empty()) return {};
  const timestamp time = parse_iso8601(text);
  // Before year 0000 the ISO form has no text: the window then reaches back to the start.
  const timestamp year_zero{std::chrono::sys_days{std::chrono::year{0} / 1 / 1}};
  if (time - year_zero < back) return {};
  return format_iso8601(time - back);
}

bool fills_gap(const std::vector<std::uint64_t>& sequences, std::uint64_t next,
               std::uint64_t first_missing, std::uint64_t floor_sequence) {
  const std::uint64_t first = first_missing != 0 ? first_missing : floor_sequence + 1;
  if (first > next || sequences.size() != next - first) return false;
  for (std::size_t i = 0; i < sequences.size(); ++i)
    if (sequences[i] != first + i) return false;
  return true;
}

stream_tracker::stream_tracker(std::string floor, const std::vector<stream_position>& streams,
                               std::size_t max_streams)
    : floor_(std::move(floor)), max_streams_(std::max<std::size_t>(max_streams, 2)) {
  for (const stream_position& p : streams)
    last_[{p.domain, p.identifier}] = last_delivery{p.sequence, p.created};
}

stream_check stream_tracker::check(const std::string& domain, const std::string& identifier,
                                   std::uint64_t sequence) const {
  const auto found = last_.find({domain, identifier});
  if (found == last_.end()) {
    if (sequence <= 1) return {stream_verdict::deliver, 0};
    return {stream_verdict::gap, 0};
  }
  const std::uint64_t last = found->second.sequence;
  if (sequence <= last) return {stream_verdict::already_delivered, 0};
  if (sequence == last + 1) return {stream_verdict::deliver, 0};
  return {stream_verdict::gap, last + 1};
}

void stream_tracker::record(const std::string& domain, const std::string& identifier,
                            std::uint64_t sequence, const std::string& created) {
  last_delivery& last = last_[{domain, identifier}];
  last.sequence = sequence;
  last.created = created;
  if (last_.size() > max_streams_) evict_oldest_half();
}

void stream_tracker::evict_oldest_half() {
  std::vector<std::string> times;
  times.reserve(last_.size());
  for (const auto& [stream, last] : last_) times.push_back(last.created);
  const auto middle = times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2);
  std::nth_element(times.begin(), middle, times.end());
  const std::string cut = *middle;
  // Every stream last delivered before `cut` is forgotten: the floor says so.
  std::erase_if(last_, [&](const auto& entry) { return entry.second.created < cut; });
  floor_ = std::max(floor_, cut);
}

std::vector<stream_position> stream_tracker::positions_since(std::string_view since) const {
  std::vector<stream_position> positions;
  for (const auto& [stream, last] : last_)
    if (last.created >= since)
      positions.push_back({stream.first, stream.second, last.sequence, last.created});
  return positions;
}

}  // namespace evstore
