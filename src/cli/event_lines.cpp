#include "event_lines.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/system/system_error.hpp>

#include "evstore/store/event_json.hpp"
#include "evstore/store/uuid.hpp"
#include "evstore/store/validation.hpp"

namespace evstore::cli {
namespace {

bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

[[noreturn]] void reject_line(std::size_t line_number, std::string_view what) {
  throw input_error("line " + std::to_string(line_number) + ": " + std::string(what));
}

}  // namespace

std::vector<event> read_event_lines(std::istream& in) {
  std::vector<event> events;
  std::unordered_map<std::string, std::size_t> line_of_id;
  std::string line;
  for (std::size_t line_number = 1; std::getline(in, line); ++line_number) {
    if (is_blank(line)) continue;
    try {
      event e = event_from_json(line);
      e.sequence = 0;  // the store assigns it; lines from `evstore replay` carry one
      if (e.id.empty()) e.id = make_uuid_v4();
      // Checked with a stand-in time; the store chooses it.
      const bool untimed = !e.created;
      if (untimed) e.created = timestamp{};
      validate_event(e, events.size());
      if (untimed) e.created.reset();
      auto [first, inserted] = line_of_id.try_emplace(e.id, line_number);
      if (!inserted) {
        reject_line(line_number, "the id '" + e.id + "' is already given on line " +
                                     std::to_string(first->second));
      }
      events.push_back(std::move(e));
    } catch (const boost::system::system_error& e) {
      reject_line(line_number, e.what());
    }
  }
  if (in.bad()) throw input_error("cannot read the events from standard input");
  return events;
}

}  // namespace evstore::cli
