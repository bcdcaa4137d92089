// A writer process of the history checker: runs one workload writer against a table (through
// the endpoints it is given, the test's fault proxies) and writes its history as JSON Lines,
// each line flushed before the next call, so a process cut short leaves what it sent.
//
//   history_writer --dynamodb URL --s3 URL --table-prefix P --bucket B --name p0 --seed S
//                  --run-seed R --calls N --seconds T --max-attempts A --out FILE

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "evstore/aws/config.hpp"
#include "evstore/store/repo.hpp"
#include "workload.hpp"

int main(int argc, char** argv) {
  std::map<std::string, std::string> args;
  for (int i = 1; i + 1 < argc; i += 2) args[argv[i]] = argv[i + 1];
  const auto arg = [&](const char* name) {
    const auto found = args.find(name);
    if (found == args.end()) {
      std::cerr << "history_writer: " << name << " is required\n";
      std::exit(2);
    }
    return found->second;
  };
  try {
    evstore::aws::config config;
    config.region = "us-east-1";
    config.static_credentials = evstore::aws::credentials{"local", "local", "", std::nullopt};
    config.static_credentials_origin = "test";
    config.service_endpoint_urls["dynamodb"] = arg("--dynamodb");
    config.service_endpoint_urls["s3"] = arg("--s3");

    evstore::repo_options options;
    options.table_name_prefix = arg("--table-prefix");
    options.s3_bucket_name = arg("--bucket");
    options.skip_table_creation = true;
    options.skip_bucket_creation = true;
    options.offload_threshold_bytes = 2'000;
    options.request_timeout = std::chrono::milliseconds(2'000);
    options.max_attempts = static_cast<unsigned>(std::stoul(arg("--max-attempts")));

    evstore::history::writer_settings settings;
    settings.name = arg("--name");
    settings.seed = std::stoull(arg("--seed"));
    settings.run_seed = std::stoull(arg("--run-seed"));
    settings.calls = std::stoul(arg("--calls"));
    settings.deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(std::stol(arg("--seconds")));

    std::ofstream out(arg("--out"), std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + arg("--out"));
    boost::asio::io_context io;
    evstore::repo store(io.get_executor(), config, options);
    evstore::history::writer writer(
        store, settings,
        [&](const evstore::history::call_record& call) {
          out << evstore::history::begin_line(call) << '\n' << std::flush;
        },
        [&](const evstore::history::call_record& call) {
          out << evstore::history::end_line(call) << '\n' << std::flush;
        });
    auto done = boost::asio::co_spawn(io, writer.run(), boost::asio::use_future);
    // Pooled keep-alive connections keep io busy: run until the writer is done, not until idle.
    while (done.wait_for(std::chrono::seconds(0)) != std::future_status::ready) io.run_one();
    done.get();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "history_writer: " << error.what() << '\n';
    return 1;
  }
}
