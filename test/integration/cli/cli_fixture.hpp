#pragma once
// What the `evstore` binary tests share: a fresh table prefix per fixture, the environment that
// points the tool and the TypeScript adapter at the local servers, and JSON Lines helpers.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "integration/cli/run_process.hpp"
#include "support/servers.hpp"

namespace evstore::test {

inline std::vector<boost::json::value> parse_json_lines(const std::string& text) {
  std::vector<boost::json::value> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) values.push_back(boost::json::parse(line));
  }
  return values;
}

inline std::string to_json_lines(const std::vector<boost::json::value>& values) {
  std::string text;
  for (const auto& value : values) text += boost::json::serialize(value) + "\n";
  return text;
}

/// A value short enough for a test log.
inline std::string brief(const boost::json::value& value) {
  std::string text = boost::json::serialize(value);
  return text.size() > 400 ? text.substr(0, 400) + "...(" + std::to_string(text.size()) + " bytes)"
                           : text;
}

/// Equal lists of JSON values, reporting the first difference.
inline void check_same_events(const std::vector<boost::json::value>& actual,
                              const std::vector<boost::json::value>& expected) {
  BOOST_TEST(actual.size() == expected.size());
  for (std::size_t i = 0; i < std::min(actual.size(), expected.size()); ++i) {
    if (actual[i] != expected[i]) {
      BOOST_ERROR("event " << i << " differs:\n  actual   " << brief(actual[i]) << "\n  expected "
                           << brief(expected[i]));
      return;
    }
  }
}

class cli_fixture {
 public:
  cli_fixture() {
    static int counter = 0;
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::string unique =
        std::to_string(now) + "-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
    prefix_ = "cli-" + unique + "-";
    environment_ = {
        {"AWS_REGION", "us-east-1"},
        {"AWS_ACCESS_KEY_ID", "local"},
        {"AWS_SECRET_ACCESS_KEY", "local"},
        {"AWS_EC2_METADATA_DISABLED", "true"},
        {"AWS_ENDPOINT_URL_DYNAMODB", dynamodb_url()},
        {"AWS_ENDPOINT_URL_S3", s3_url()},
        {"EVSTORE_TABLE_PREFIX", prefix_},
        // Its own bucket too: `reset` deletes every offloaded object under the key prefix.
        {"EVSTORE_S3_BUCKET", "evstore-cli-" + unique},
    };
  }

  const std::string& prefix() const { return prefix_; }
  std::map<std::string, std::string>& environment() { return environment_; }

  /// Runs the built `evstore` binary.
  process_result evstore(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), EVSTORE_CLI_PATH);
    return run_process(args, input, environment_);
  }

  /// Runs node/interop/adapter.js, which drives the published TypeScript adapter.
  process_result adapter(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(),
                {"node", "--no-warnings", EVSTORE_SOURCE_DIR "/node/interop/adapter.js"});
    return run_process(args, input, environment_);
  }

  /// `evstore replay` (which must succeed), parsed.
  std::vector<boost::json::value> evstore_replay(const std::string& page_size = "100") {
    auto result = evstore({"replay", "--page-size", page_size});
    BOOST_TEST_REQUIRE(result.status == 0, "evstore replay failed: " << result.err);
    return parse_json_lines(result.out);
  }

  /// The adapter's getAllEvents (which must succeed), parsed.
  std::vector<boost::json::value> adapter_replay() {
    auto result = adapter({"replay"});
    BOOST_TEST_REQUIRE(result.status == 0, "adapter replay failed: " << result.err);
    return parse_json_lines(result.out);
  }

 private:
  std::string prefix_;
  std::map<std::string, std::string> environment_;
};

}  // namespace evstore::test
