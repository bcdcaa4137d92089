#include "cli/arguments.hpp"

#include <boost/test/unit_test.hpp>

#include <chrono>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

BOOST_AUTO_TEST_SUITE(arguments)

namespace cli = evstore::cli;

namespace {

using variables = std::map<std::string, std::string, std::less<>>;

cli::invocation parse(std::initializer_list<std::string_view> args, variables env = {}) {
  std::vector<std::string_view> list(args);
  return cli::parse_arguments(list, evstore::aws::environment_from(std::move(env)));
}

std::string usage_message(std::initializer_list<std::string_view> args, variables env = {}) {
  try {
    parse(args, std::move(env));
  } catch (const cli::usage_error& e) {
    return e.what();
  }
  return "no usage_error";
}

bool contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_arguments)

BOOST_AUTO_TEST_CASE(subscribe_and_its_options) {
  const auto plain = parse({"subscribe"});
  BOOST_TEST((plain.command == cli::command_kind::subscribe));
  BOOST_TEST(!plain.subscribe_from_now);
  BOOST_TEST(!plain.checkpoint_file.has_value());
  BOOST_TEST(!plain.idle_exit_seconds.has_value());
  BOOST_TEST(!plain.subscribe_page_size.has_value());
  const auto full = parse({"subscribe", "--from-now", "--checkpoint", "cp.json", "--idle-exit=3",
                           "--domain", "a", "--domain", "b", "--type", "t", "--page-size", "50"});
  BOOST_TEST(full.subscribe_from_now);
  BOOST_TEST(*full.checkpoint_file == "cp.json");
  BOOST_TEST(*full.idle_exit_seconds == 3u);
  BOOST_TEST(full.subscribe_domains == (std::vector<std::string>{"a", "b"}),
             boost::test_tools::per_element());
  BOOST_TEST(full.subscribe_types == std::vector<std::string>{"t"},
             boost::test_tools::per_element());
  BOOST_TEST(*full.subscribe_page_size == 50u);
  BOOST_TEST(contains(usage_message({"subscribe", "--checkpoint", ""}), "--checkpoint"));
  BOOST_TEST(contains(usage_message({"subscribe", "--idle-exit", "soon"}), "--idle-exit"));
  BOOST_TEST(contains(usage_message({"subscribe", "--from-now=yes"}), "takes no value"));
  BOOST_TEST(contains(usage_message({"subscribe", "extra"}), "takes no argument"));
  // Subscribing writes nothing: no bucket needed.
  BOOST_TEST(parse({"subscribe"}).settings.bucket.empty());
  const std::string help = parse({"help", "subscribe"}).help_text.value();
  BOOST_TEST(help.starts_with("usage: evstore [OPTIONS] subscribe"), help);
  BOOST_TEST(parse({"subscribe", "--help"}).help_text.value() == help);
  BOOST_TEST(contains(parse({"--help"}).help_text.value(), "subscribe"));
}

BOOST_AUTO_TEST_CASE(commands_and_their_arguments) {
  BOOST_TEST((parse({"replay"}).command == cli::command_kind::replay));
  BOOST_TEST(parse({"replay"}).page_size == 100u);
  BOOST_TEST(parse({"replay", "--page-size", "7"}).page_size == 7u);
  BOOST_TEST(parse({"replay", "--page-size=1"}).page_size == 1u);

  auto months = parse({"replay", "--from-month", "2023-11", "--to-month=2024-02"});
  BOOST_TEST((months.first_month.value() == std::chrono::year(2023) / std::chrono::November));
  BOOST_TEST((months.last_month.value() == std::chrono::year(2024) / std::chrono::February));
  BOOST_TEST(!parse({"replay"}).first_month.has_value());
  BOOST_TEST(!parse({"replay"}).last_month.has_value());

  auto get = parse({"get", "abc-123"});
  BOOST_TEST((get.command == cli::command_kind::get));
  BOOST_TEST(get.event_id == "abc-123");
  auto caused = parse({"caused-by", "--", "-starts-with-dash"});
  BOOST_TEST((caused.command == cli::command_kind::caused_by));
  BOOST_TEST(caused.event_id == "-starts-with-dash");

  auto append = parse({"--bucket", "b", "append", "--expected-sequence", "0"});
  BOOST_TEST((append.command == cli::command_kind::append));
  BOOST_TEST(append.expected_sequence.value() == 0u);
  BOOST_TEST(!parse({"--bucket", "b", "append"}).expected_sequence.has_value());

  BOOST_TEST(parse({"--bucket=b", "reset", "--keep-objects"}).keep_objects);
  BOOST_TEST(!parse({"--bucket=b", "reset"}).keep_objects);
  BOOST_TEST((parse({"--bucket=b", "init"}).command == cli::command_kind::init));
}

BOOST_AUTO_TEST_CASE(replay_resume_split_and_parallel_options) {
  auto resume = parse({"replay", "--after-id", "e-200", "--parallel", "8", "--to", "2024-02"});
  BOOST_TEST(resume.after_id.value() == "e-200");
  BOOST_TEST(resume.parallel.value() == 8u);
  BOOST_TEST((resume.last_month.value() == std::chrono::year(2024) / std::chrono::February));
  auto split = parse({"replay", "--from=2023-11", "--to", "2023-12"});
  BOOST_TEST((split.first_month.value() == std::chrono::year(2023) / std::chrono::November));
  BOOST_TEST(!split.after_id.has_value());
  BOOST_TEST(!split.parallel.has_value());
  BOOST_TEST(parse({"--bucket=b", "migrate", "--parallel", "3"}).parallel.value() == 3u);
  BOOST_TEST(!parse({"--bucket=b", "migrate"}).parallel.has_value());
}

BOOST_AUTO_TEST_CASE(stream_snapshot_streams_and_stats) {
  auto stream = parse({"stream", "order", "o-1", "--after-sequence", "5"});
  BOOST_TEST((stream.command == cli::command_kind::stream));
  BOOST_TEST(stream.domain == "order");
  BOOST_TEST(stream.identifier == "o-1");
  BOOST_TEST(stream.after_sequence == 5u);
  BOOST_TEST(parse({"stream", "order", "o-1"}).after_sequence == 0u);
  // "" names the stream of events without identifier.
  BOOST_TEST(parse({"stream", "note", ""}).identifier.empty());

  auto snapshot = parse({"snapshot", "order", "o-1"});
  BOOST_TEST((snapshot.command == cli::command_kind::snapshot));
  BOOST_TEST(snapshot.domain == "order");
  BOOST_TEST(snapshot.identifier == "o-1");

  BOOST_TEST((parse({"streams"}).command == cli::command_kind::streams));
  BOOST_TEST(parse({"stats", "--json"}).json);
  BOOST_TEST(!parse({"stats"}).json);
  BOOST_TEST(parse({"-q", "replay"}).quiet);
  BOOST_TEST(parse({"replay", "--quiet"}).quiet);
  BOOST_TEST(!parse({"replay"}).quiet);
}

BOOST_AUTO_TEST_CASE(options_win_over_the_environment) {
  variables env{{"AWS_REGION", "eu-west-1"},
                {"AWS_ENDPOINT_URL", "http://shared:1"},
                {"AWS_ENDPOINT_URL_S3", "http://s3:2"},
                {"EVSTORE_TABLE_PREFIX", "env-"},
                {"EVSTORE_S3_BUCKET", "env-bucket"}};
  auto from_env = parse({"replay"}, env).settings;
  BOOST_TEST(from_env.region.value() == "eu-west-1");
  BOOST_TEST(from_env.dynamodb_endpoint.value() == "http://shared:1");
  BOOST_TEST(from_env.s3_endpoint.value() == "http://s3:2");
  BOOST_TEST(from_env.table_prefix == "env-");
  BOOST_TEST(from_env.bucket == "env-bucket");

  env["AWS_ENDPOINT_URL_DYNAMODB"] = "http://ddb:3";
  BOOST_TEST(parse({"replay"}, env).settings.dynamodb_endpoint.value() == "http://ddb:3");

  // Global options are accepted before and after the command.
  auto given =
      parse({"--region", "us-east-2", "--dynamodb-endpoint=http://127.0.0.1:8000", "replay",
             "--s3-endpoint", "https://s3.local", "--table-prefix", "t-", "--bucket", "b"},
            env)
          .settings;
  BOOST_TEST(given.region.value() == "us-east-2");
  BOOST_TEST(given.dynamodb_endpoint.value() == "http://127.0.0.1:8000");
  BOOST_TEST(given.s3_endpoint.value() == "https://s3.local");
  BOOST_TEST(given.table_prefix == "t-");
  BOOST_TEST(given.bucket == "b");
}

BOOST_AUTO_TEST_CASE(the_s3_acl_may_be_emptied) {
  BOOST_TEST(!parse({"replay"}).settings.s3_acl.has_value());
  BOOST_TEST(parse({"replay"}, {{"EVSTORE_S3_ACL", ""}}).settings.s3_acl.value() == "");
  BOOST_TEST(parse({"--s3-acl", "bucket-owner-full-control", "replay"}, {{"EVSTORE_S3_ACL", ""}})
                 .settings.s3_acl.value() == "bucket-owner-full-control");
  BOOST_TEST(parse({"--s3-acl=", "replay"}).settings.s3_acl.value() == "");
}

BOOST_AUTO_TEST_CASE(empty_environment_variables_count_as_unset) {
  auto settings = parse({"replay"}, {{"AWS_REGION", ""},
                                     {"AWS_ENDPOINT_URL_DYNAMODB", ""},
                                     {"AWS_ENDPOINT_URL", "http://shared:1"}})
                      .settings;
  BOOST_TEST(!settings.region.has_value());
  BOOST_TEST(settings.dynamodb_endpoint.value() == "http://shared:1");
}

BOOST_AUTO_TEST_CASE(retry_settings_from_options_and_the_environment) {
  const cli::invocation defaults = parse({"replay"});
  BOOST_TEST(!defaults.settings.retry_mode);
  BOOST_TEST(!defaults.settings.max_attempts);
  BOOST_TEST(!defaults.settings.max_time_without_progress);
  BOOST_TEST(!defaults.settings.request_timeout);

  // AWS_RETRY_MODE and AWS_MAX_ATTEMPTS are aws::config's to read (test/unit/aws/config.cpp):
  // the options override them there, as explicit settings.
  const cli::invocation from_env = parse({"replay"}, {{"AWS_RETRY_MODE", "standard"},
                                                      {"AWS_MAX_ATTEMPTS", "5"},
                                                      {"EVSTORE_MAX_TIME_WITHOUT_PROGRESS", "120"},
                                                      {"EVSTORE_REQUEST_TIMEOUT", "10"}});
  BOOST_TEST(!from_env.settings.retry_mode);
  BOOST_TEST(!from_env.settings.max_attempts);
  BOOST_TEST(from_env.settings.max_time_without_progress->count() == 120);
  BOOST_TEST(from_env.settings.request_timeout->count() == 10);
  BOOST_TEST((parse({"--retry-mode", "legacy", "replay"}).settings.retry_mode ==
              evstore::aws::retry_mode::standard));

  const cli::invocation from_options =
      parse({"--retry-mode", "adaptive", "--max-attempts=0", "--max-time-without-progress", "0",
             "--request-timeout", "3", "replay"},
            {{"AWS_RETRY_MODE", "standard"}, {"AWS_MAX_ATTEMPTS", "5"}});
  BOOST_TEST((from_options.settings.retry_mode == evstore::aws::retry_mode::adaptive));
  BOOST_TEST(*from_options.settings.max_attempts == 0u);
  BOOST_TEST(from_options.settings.max_time_without_progress->count() == 0);
  BOOST_TEST(from_options.settings.request_timeout->count() == 3);

  BOOST_TEST(contains(usage_message({"--retry-mode", "fast", "replay"}),
                      "--retry-mode takes adaptive or standard, not 'fast'"));
  BOOST_TEST(contains(usage_message({"--max-attempts", "-1", "replay"}), "--max-attempts"));
  BOOST_TEST(contains(usage_message({"--request-timeout", "0", "replay"}), "--request-timeout"));
}

BOOST_AUTO_TEST_CASE(help_for_the_tool_and_each_command) {
  auto tool = parse({"--help"});
  BOOST_TEST_REQUIRE(tool.help_text.has_value());
  BOOST_TEST(contains(*tool.help_text, "Exit status"));
  BOOST_TEST(contains(parse({"-h"}).help_text.value(), "caused-by ID"));
  BOOST_TEST(contains(parse({"help"}).help_text.value(), "Commands:"));
  // Help needs no bucket and ignores a missing event id.
  BOOST_TEST(contains(parse({"append", "--help"}).help_text.value(), "--expected-sequence"));
  BOOST_TEST(contains(parse({"help", "replay"}).help_text.value(), "--page-size"));
  BOOST_TEST(contains(parse({"get", "-h"}).help_text.value(), "evstore [OPTIONS] get ID"));
  BOOST_TEST(contains(parse({"reset", "--help"}).help_text.value(), "--keep-objects"));
}

BOOST_AUTO_TEST_CASE(bad_usage_is_named) {
  BOOST_TEST(contains(usage_message({}), "no command"));
  BOOST_TEST(contains(usage_message({"frobnicate"}), "unknown command 'frobnicate'"));
  BOOST_TEST(contains(usage_message({"--colour", "replay"}), "unknown option --colour"));
  BOOST_TEST(contains(usage_message({"replay", "--expected-sequence", "1"}),
                      "unknown option --expected-sequence for 'replay'"));
  BOOST_TEST(contains(usage_message({"replay", "--page-size"}), "--page-size needs a value"));
  BOOST_TEST(contains(usage_message({"replay", "--page-size", "0"}), "from 1 to 10000"));
  BOOST_TEST(contains(usage_message({"replay", "--page-size", "10001"}), "from 1 to 10000"));
  BOOST_TEST(contains(usage_message({"replay", "--page-size", "12x"}), "not '12x'"));
  BOOST_TEST(contains(usage_message({"replay", "--page-size", "-3"}), "not '-3'"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--expected-sequence", "one"}),
                      "--expected-sequence takes a whole number"));
  BOOST_TEST(contains(usage_message({"replay", "--from-month", "2024-13"}),
                      "--from-month takes a month as YYYY-MM, not '2024-13'"));
  BOOST_TEST(contains(usage_message({"replay", "--to-month", "May"}), "--to-month takes a month"));
  BOOST_TEST(contains(usage_message({"replay", "--from-month", "2024-03", "--to-month", "2024-02"}),
                      "--from is after --to"));
  BOOST_TEST(contains(usage_message({"get"}), "'get' takes exactly one event id"));
  BOOST_TEST(contains(usage_message({"get", "a", "b"}), "'get' takes exactly one event id"));
  BOOST_TEST(contains(usage_message({"replay", "extra"}), "'replay' takes no argument"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "reset", "--keep-objects=yes"}),
                      "--keep-objects takes no value"));
  BOOST_TEST(contains(usage_message({"--dynamodb-endpoint", "127.0.0.1:8000", "replay"}),
                      "--dynamodb-endpoint must be an http:// or https:// URL"));
  BOOST_TEST(contains(usage_message({"replay"}, {{"AWS_ENDPOINT_URL_S3", "ftp://x"}}),
                      "--s3-endpoint must be"));
}

BOOST_AUTO_TEST_CASE(bad_usage_of_the_newer_commands_is_named) {
  BOOST_TEST(contains(usage_message({"replay", "--after-id", ""}), "--after-id needs an event id"));
  BOOST_TEST(contains(usage_message({"replay", "--after-id", "x", "--from", "2024-01"}),
                      "--after-id and --from"));
  BOOST_TEST(contains(usage_message({"replay", "--parallel", "0"}), "from 1 to 64"));
  BOOST_TEST(contains(usage_message({"replay", "--parallel", "65"}), "from 1 to 64"));
  BOOST_TEST(
      contains(usage_message({"stream", "order"}), "'stream' takes a DOMAIN and an IDENTIFIER"));
  BOOST_TEST(contains(usage_message({"stream", "", "x"}), "takes a DOMAIN and an IDENTIFIER"));
  BOOST_TEST(contains(usage_message({"snapshot", "a", "b", "c"}),
                      "'snapshot' takes a DOMAIN and an IDENTIFIER"));
  BOOST_TEST(contains(usage_message({"stream", "d", "i", "--after-sequence", "x"}),
                      "--after-sequence takes a whole number"));
  BOOST_TEST(contains(usage_message({"snapshot", "d", "i", "--after-sequence", "1"}),
                      "unknown option --after-sequence for 'snapshot'"));
  BOOST_TEST(contains(usage_message({"stats", "--json=yes"}), "--json takes no value"));
  BOOST_TEST(contains(usage_message({"streams", "x"}), "'streams' takes no argument"));
  BOOST_TEST(contains(usage_message({"--quiet=1", "replay"}), "--quiet takes no value"));
}

BOOST_AUTO_TEST_CASE(every_command_has_help) {
  for (auto command : {"init", "reset", "append", "replay", "get", "caused-by", "stream",
                       "snapshot", "migrate", "streams", "stats"}) {
    auto help = parse({"help", command}).help_text.value();
    BOOST_TEST(help.starts_with("usage: evstore [OPTIONS] " + std::string(command)), help);
    BOOST_TEST(parse({command, "--help"}).help_text.value() == help);
  }
  auto tool = parse({"--help"}).help_text.value();
  for (auto code : {"0  success", "1  ", "2  bad usage", "3  concurrency", "4  not found"})
    BOOST_TEST(contains(tool, code), code);
  BOOST_TEST(contains(parse({"help", "snapshot"}).help_text.value(), "Exit status 4"));
  BOOST_TEST(contains(parse({"help", "replay"}).help_text.value(), "--after-id ID"));
}

BOOST_AUTO_TEST_CASE(writing_commands_need_a_bucket) {
  for (auto command : {"init", "reset", "append"}) {
    BOOST_TEST(contains(usage_message({command}), "needs an S3 bucket"));
  }
  BOOST_TEST(parse({"append"}, {{"EVSTORE_S3_BUCKET", "b"}}).settings.bucket == "b");
  BOOST_TEST(parse({"get", "x"}).settings.bucket.empty());
}

BOOST_AUTO_TEST_CASE(atomic_append_expectations) {
  auto atomic = parse({"--bucket=b", "append", "--atomic", "--expect", "account/a=3", "--expect",
                       "account/b=none", "--expect", "order=exists", "--expect", "x/p/q=r=any",
                       "--expected-sequence", "0"});
  BOOST_TEST(atomic.atomic);
  BOOST_TEST(atomic.expected_sequence.value() == 0u);
  BOOST_TEST_REQUIRE(atomic.expectations.size() == 4u);
  BOOST_TEST(atomic.expectations[0].domain == "account");
  BOOST_TEST(atomic.expectations[0].identifier == "a");
  BOOST_TEST((atomic.expectations[0].expectation.what == evstore::stream_expectation::kind::exact));
  BOOST_TEST(atomic.expectations[0].expectation.version == 3u);
  BOOST_TEST(
      (atomic.expectations[1].expectation.what == evstore::stream_expectation::kind::no_stream));
  BOOST_TEST(atomic.expectations[2].domain == "order");
  BOOST_TEST(atomic.expectations[2].identifier.empty());
  BOOST_TEST(
      (atomic.expectations[2].expectation.what == evstore::stream_expectation::kind::exists));
  // The stream at the first '/', the expectation at the last '='.
  BOOST_TEST(atomic.expectations[3].domain == "x");
  BOOST_TEST(atomic.expectations[3].identifier == "p/q=r");
  BOOST_TEST((atomic.expectations[3].expectation.what == evstore::stream_expectation::kind::any));
  BOOST_TEST(!parse({"--bucket=b", "append"}).atomic);
  BOOST_TEST(contains(parse({"--bucket=b", "append", "--help"}).help_text.value(),
                      "--expect DOMAIN/IDENTIFIER"));

  BOOST_TEST(
      contains(usage_message({"--bucket=b", "append", "--expect", "a/b=1"}), "add --atomic"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--atomic", "--expect", "a/b"}),
                      "--expect takes DOMAIN/IDENTIFIER=N|none|exists|any, not 'a/b'"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--atomic", "--expect", "a/b=maybe"}),
                      "not 'a/b=maybe'"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--atomic", "--expect", "/b=1"}),
                      "not '/b=1'"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--atomic", "--expect", "a/b=1",
                                     "--expect", "a/b=none"}),
                      "names stream 'a/b' twice"));
  BOOST_TEST(contains(usage_message({"--bucket=b", "append", "--atomic=yes"}), "--atomic"));
  BOOST_TEST(contains(usage_message({"replay", "--atomic"}), "unknown option --atomic"));
}
BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
