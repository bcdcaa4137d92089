// The README's usage example, kept compiling: append one event to a new stream, then replay.
// Configuration comes from the environment (AWS_REGION, AWS_ENDPOINT_URL_*, credentials).

#include <cstdio>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <evstore/evstore.hpp>

boost::asio::awaitable<void> run(evstore::repo& repo) {
  co_await repo.init();  // table, its indexes and the bucket, waited until ACTIVE

  evstore::event opened;
  opened.domain = "account";
  opened.identifier = "42";
  opened.type = "opened";
  opened.payload_json = R"({"owner":"ada"})";
  std::vector<evstore::event> batch{opened};
  evstore::append_options options;
  options.expected_sequence = 0;  // a new stream; a stale version throws concurrency_error
  co_await repo.append(std::move(batch), options);

  evstore::replay replay = repo.all_events();  // (created, id) order, every month
  while (auto page = co_await replay.next())
    for (const evstore::event& e : *page) std::printf("%s %s\n", e.id.c_str(), e.type.c_str());
}

// The README's completion-token example: the same append with a callback, its failure a code.
void append_with_callback(evstore::repo& repo, std::vector<evstore::event> batch,
                          evstore::append_options options, evstore::diagnostics& diag) {
  repo.async_append(std::move(batch), options, diag,
                    [&](boost::system::error_code ec, std::vector<evstore::event> stored) {
                      if (ec == evstore::store_errc::concurrency_conflict)
                        std::printf("stream at version %llu\n",
                                    static_cast<unsigned long long>(*diag.actual_version()));
                      else if (!ec)
                        std::printf("stored up to %llu\n",
                                    static_cast<unsigned long long>(stored.back().sequence));
                    });
}

int main() {
  boost::asio::io_context io;
  evstore::repo_options options;
  options.s3_bucket_name = "my-event-archive";
  evstore::repo repo{io.get_executor(), evstore::aws::config::from_environment(), options};
  boost::asio::co_spawn(io, run(repo), boost::asio::detached);
  io.run();
}
