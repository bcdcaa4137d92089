// A projection rebuilt from the event log, resumable: counts events by domain and type, and
// after every page saves its state together with the id of the last event applied. A later run
// loads that checkpoint and replays only what came after it (replay_options::after_id), so an
// interrupted rebuild continues where it stopped and a finished one catches up with new events.
//
//   evstore_projection CHECKPOINT_FILE
// Configuration as for every AWS program (AWS_REGION, AWS_ENDPOINT_URL_*, credentials), plus
// EVSTORE_TABLE_PREFIX. Prints one JSON line: {"applied", "lastEventId", "counts"}.

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>

#include "evstore/evstore.hpp"

namespace asio = boost::asio;
namespace json = boost::json;

namespace {

/// The projection's state and where in the log it stands.
struct checkpoint {
  std::string last_event_id;  ///< empty: nothing applied yet
  json::object counts;        ///< "domain/type" -> events seen
};

checkpoint load(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return {};  // first run
  std::stringstream text;
  text << in.rdbuf();
  const json::object saved = json::parse(text.str()).as_object();
  return {std::string(saved.at("lastEventId").as_string()), saved.at("counts").as_object()};
}

/// Written beside the file and renamed over it: a crash leaves the old checkpoint or the new
/// one, never half of one.
void save(const std::filesystem::path& file, const checkpoint& state) {
  const std::filesystem::path next = file.string() + ".next";
  {
    std::ofstream out(next, std::ios::trunc);
    out << json::serialize(
        json::object{{"lastEventId", state.last_event_id}, {"counts", state.counts}});
    if (!out.flush()) throw std::runtime_error("cannot write " + next.string());
  }
  std::filesystem::rename(next, file);
}

asio::awaitable<void> rebuild(evstore::repo& repo, std::filesystem::path file) {
  checkpoint state = load(file);
  evstore::replay_options options;
  if (!state.last_event_id.empty()) options.after_id = state.last_event_id;
  evstore::replay replay = repo.all_events(options);
  std::uint64_t applied = 0;
  while (auto page = co_await replay.next()) {
    for (const evstore::event& e : *page) {
      json::value& count = state.counts[e.domain + "/" + e.type];
      count = (count.is_int64() ? count.as_int64() : 0) + 1;
      state.last_event_id = e.id;
    }
    applied += page->size();
    save(file, state);  // per page: a restart repeats at most nothing, loses at most one page
  }
  std::printf("%s\n", json::serialize(json::object{{"applied", applied},
                                                   {"lastEventId", state.last_event_id},
                                                   {"counts", state.counts}})
                          .c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: evstore_projection CHECKPOINT_FILE\n");
    return 2;
  }
  asio::io_context io;
  evstore::repo_options options;
  const char* prefix = std::getenv("EVSTORE_TABLE_PREFIX");
  options.table_name_prefix = prefix ? prefix : "";
  evstore::repo repo{io.get_executor(), evstore::aws::config::from_environment(), options};
  int status = 0;
  asio::co_spawn(io, rebuild(repo, argv[1]), [&](std::exception_ptr failure) {
    try {
      if (failure) std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "evstore_projection: %s\n", e.what());
      status = 1;
    }
    io.stop();  // pooled keep-alive connections would keep run() going until they expire
  });
  io.run();
  return status;
}
