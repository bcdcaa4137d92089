// Secrets never reach output. A broad run of operations, failing ones included (a wrong secret
// refused with 403 by s3rver, an invalid token refused by a scripted DynamoDB, unreachable
// endpoints, bad events, conflicts, malformed credentials from a profile file and from a
// container endpoint, `evstore` commands failing), with distinctive test credentials; every
// log line (repo_options::log at all levels), exception text and the tool's stdout and stderr (run
// with --verbose) is captured and searched for the secret key, the session token (whole and in
// part; as they are, percent-encoded, JSON-escaped and in base64) and the SigV4 signing keys
// derived from the secret (hex). Needs scripts/emulators running.

#include <boost/test/unit_test.hpp>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "aws/crypto.hpp"
#include "evstore/aws/config.hpp"
#include "evstore/aws/environment.hpp"
#include "evstore/dynamodb/attribute_value.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "integration/cli/cli_fixture.hpp"
#include "integration/store/store_fixture.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(secrets)

using namespace evstore;
using namespace std::chrono_literals;
namespace detail = evstore::aws::detail;

namespace {

const std::string access_key = "AKIDEVSTORESECRETSCHECK";
const std::string secret_key = "evsSecretKey/8v1Qz+Fh2LmN0pRsTuWx3yZa4Bc5De6Fg7H";
const std::string session_token = "evsSessionToken//Jq9Kp8Lo7Mn6Ib5Uv4Yc3Xt2Rw1Sd0Ee+Ff/Gg=";

/// Everything the run printed, logged or threw, in one place.
class captured_output {
 public:
  void add(std::string_view source, std::string_view text) {
    const std::lock_guard lock(mutex_);
    pieces_.push_back({std::string(source), std::string(text)});
  }
  /// Runs `operation`; records the text of what it throws (every failure is expected here).
  template <class Operation>
  void failure_of(std::string_view source, Operation&& operation) {
    try {
      operation();
      add(source, "(no error)");
      BOOST_ERROR(source << ": expected a failure");
    } catch (const std::exception& error) {
      ++failures_;
      add(source, error.what());
    }
  }
  evstore::logger logger() {
    return [this](log_level level, std::string_view message) {
      add("log level " + std::to_string(static_cast<int>(level)), message);
    };
  }
  std::size_t failures() const { return failures_; }
  std::size_t total_bytes() const {
    std::size_t bytes = 0;
    for (const auto& each : pieces_) bytes += each.text.size();
    return bytes;
  }
  /// The sources whose text holds `needle`.
  std::vector<std::string> holding(std::string_view needle) const {
    std::vector<std::string> sources;
    for (const auto& each : pieces_)
      if (each.text.find(needle) != std::string::npos) sources.push_back(each.source);
    return sources;
  }

 private:
  struct piece {
    std::string source;
    std::string text;
  };
  std::mutex mutex_;
  std::vector<piece> pieces_;
  std::size_t failures_ = 0;
};

std::string hex(const detail::sha256_digest& bytes, bool upper) {
  std::string out;
  detail::append_hex(out, bytes);
  if (upper)
    for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

detail::sha256_digest hmac(std::span<const unsigned char> key, std::string_view data) {
  detail::hmac_sha256 mac;
  mac.set_key(key);
  return mac.mac(data);
}

/// The SigV4 signing keys of `secret` for the days around now, in us-east-1, for both services.
std::vector<std::string> derived_signing_keys_hex(const std::string& secret) {
  std::vector<std::string> keys;
  const std::string k_secret = "AWS4" + secret;
  for (int day_offset = -1; day_offset <= 1; ++day_offset) {
    const std::time_t when = std::time(nullptr) + day_offset * 86400;
    std::tm utc{};
    gmtime_r(&when, &utc);
    char date[9];
    std::strftime(date, sizeof date, "%Y%m%d", &utc);
    const auto k_date =
        hmac({reinterpret_cast<const unsigned char*>(k_secret.data()), k_secret.size()}, date);
    const auto k_region = hmac(k_date, "us-east-1");
    for (const char* service : {"dynamodb", "s3"}) {
      const auto k_signing = hmac(hmac(k_region, service), "aws4_request");
      keys.push_back(hex(k_signing, false));
      keys.push_back(hex(k_signing, true));
    }
  }
  return keys;
}

/// `text` percent-encoded as in a URL (every byte but A-Z a-z 0-9 - . _ ~), hex digits in the
/// given case.
std::string percent_encoded(std::string_view text, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0xf];
    }
  }
  return out;
}

/// `text` with every '/' written as `escape` (JSON writers may escape a slash, with a backslash
/// or as the code point U+002F).
std::string with_slash_as(std::string_view text, std::string_view escape) {
  std::string out;
  for (const char c : text) {
    if (c == '/')
      out += escape;
    else
      out += c;
  }
  return out;
}

/// What base64 of any text holding `secret` contains, whatever the secret's offset in it: for
/// each of the 3 alignments, the groups made of the secret's bytes alone; in the standard and
/// the URL alphabet.
std::vector<std::string> base64_forms(std::string_view secret) {
  std::vector<std::string> forms;
  for (std::size_t skip = 0; skip < 3; ++skip) {
    const std::string_view aligned = secret.substr(skip, (secret.size() - skip) / 3 * 3);
    const std::string standard = dynamodb::base64_encode(
        reinterpret_cast<const std::uint8_t*>(aligned.data()), aligned.size());
    std::string url = standard;
    for (char& c : url) c = c == '+' ? '-' : c == '/' ? '_' : c;
    forms.push_back(standard);
    forms.push_back(url);
  }
  return forms;
}

/// Each form a secret could take in output: as is, percent-encoded, JSON-escaped, base64.
std::vector<std::pair<std::string, std::string>> encoded_forms(const std::string& what,
                                                               const std::string& secret) {
  std::vector<std::pair<std::string, std::string>> forms = {
      {what, secret},
      {what + ", percent-encoded", percent_encoded(secret, true)},
      {what + ", percent-encoded (lowercase)", percent_encoded(secret, false)},
      {what + ", JSON-escaped", with_slash_as(secret, "\\/")},
      {what + ", JSON-escaped (\\u002f)", with_slash_as(secret, "\\u002f")},
      {what + ", JSON-escaped (\\u002F)", with_slash_as(secret, "\\u002F")},
  };
  for (const std::string& form : base64_forms(secret)) forms.push_back({what + ", base64", form});
  return forms;
}

/// Every needle the output is searched for.
std::vector<std::pair<std::string, std::string>> secret_needles() {
  std::vector<std::pair<std::string, std::string>> needles;
  for (const auto& [what, secret] : std::vector<std::pair<std::string, std::string>>{
           {"the secret key", secret_key},
           {"part of the secret key", secret_key.substr(8, 16)},
           {"the session token", session_token},
           {"part of the session token", session_token.substr(10, 16)},
       }) {
    for (auto& form : encoded_forms(what, secret)) needles.push_back(std::move(form));
  }
  for (const std::string& key : derived_signing_keys_hex(secret_key))
    needles.push_back({"a signing key", key});
  return needles;
}

aws::config secret_config(const std::string& dynamodb, const std::string& s3) {
  aws::config config;
  config.region = "us-east-1";
  config.static_credentials = aws::credentials{access_key, secret_key, session_token, std::nullopt};
  config.static_credentials_origin = "test";
  config.service_endpoint_urls["dynamodb"] = dynamodb;
  config.service_endpoint_urls["s3"] = s3;
  return config;
}

repo_options with_capture(repo_options options, captured_output& output) {
  options.offload_threshold_bytes = 1000;
  options.max_attempts = 2;
  options.request_timeout = 10s;
  options.log = output.logger();
  return options;
}

event small_event(std::string id, std::string identifier, std::string payload = "{\"n\":1}") {
  event e = test::make_event("account", std::move(identifier), "opened", std::move(payload));
  e.id = std::move(id);
  return e;
}

/// The repo operations, successful and failing, against DynamoDB Local and fauxqs. The fixture
/// names the table and bucket and removes them afterwards.
void run_library_operations(captured_output& output) {
  test::store_fixture f("secrets");
  repo store(f.io.get_executor(), secret_config(test::dynamodb_url(), test::s3_url()),
             with_capture(f.options, output));
  f.run(store.init());
  std::vector<event> batch{
      small_event("s-1", "a-1"),
      small_event("s-2", "a-1", "{\"pad\":\"" + std::string(3000, 'p') + "\"}")};
  batch[1].causation_id = "s-1";
  f.run(store.append(batch));
  replay cursor = store.all_events();
  for (int pages = 0; pages < 100; ++pages)
    if (!f.run(cursor.next())) break;
  BOOST_TEST(f.run(store.get_event_by_id("s-2")).has_value());
  BOOST_TEST(f.run(store.find_by_causation_id("s-1")).size() == 1u);
  BOOST_TEST(f.run(store.stream_sequence("account", "a-1")) == 2u);

  output.failure_of("stale append", [&] {
    append_options stale;
    stale.expected_sequence = 0;
    std::vector<event> again{small_event("s-3", "a-1")};
    f.run(store.append(again, stale));
  });
  output.failure_of("invalid event", [&] {
    std::vector<event> bad{small_event("s-4", "a-1", "{not json")};
    f.run(store.append(bad));
  });
  f.run(store.reset_store());
}

/// s3rver checks signatures: a wrong secret is refused with 403 (SignatureDoesNotMatch).
void run_wrong_secret(captured_output& output) {
  test::store_fixture f("secrets403");
  aws::config config = secret_config(test::dynamodb_url(), test::s3rver_url());
  config.static_credentials->access_key_id = "S3RVER";  // s3rver's key; the secret is wrong
  repo store(f.io.get_executor(), config, with_capture(f.options, output));
  output.failure_of("init with a wrong S3 secret", [&] { f.run(store.init()); });
  repo_options no_bucket_creation = with_capture(f.options, output);
  no_bucket_creation.skip_bucket_creation = true;
  repo writer(f.io.get_executor(), config, no_bucket_creation);
  output.failure_of("checking the bucket with a wrong S3 secret", [&] { f.run(writer.init()); });
  output.failure_of("offloading with a wrong S3 secret", [&] {
    std::vector<event> big{small_event("w-1", "w", "{\"pad\":\"" + std::string(3000, 'p') + "\"}")};
    f.run(writer.append(big));
  });
}

/// A DynamoDB that refuses the token, one that is not there, and one that answers garbage.
void run_refusing_endpoints(captured_output& output) {
  test::local_http_server refusing([](const http::request&) {
    return http::response{400,
                          {{"Content-Type", "application/x-amz-json-1.0"}},
                          R"({"__type":"com.amazon.coral.service#UnrecognizedClientException",)"
                          R"("message":"The security token included in the request is invalid."})"};
  });
  test::local_http_server garbage([](const http::request&) {
    return http::response{500, {}, "<html>" + std::string(100, 'x')};
  });
  for (const std::string& url :
       {refusing.url(), garbage.url(), std::string("http://127.0.0.1:1")}) {
    boost::asio::io_context io;
    repo_options options;
    options.table_name_prefix = "secrets-refused-";
    options.s3_bucket_name = "secrets-refused";
    repo store(io.get_executor(), secret_config(url, test::s3_url()),
               with_capture(options, output));
    output.failure_of("init against " + url, [&] { test::run_for(io, store.init(), 120s); });
    output.failure_of("read against " + url,
                      [&] { test::run_for(io, store.get_event_by_id("x"), 120s); });
  }
}

/// Credentials that come from a container endpoint: first malformed (the secret inside a
/// response the provider refuses), then valid ones that sign real requests.
void run_container_credentials(captured_output& output) {
  std::mutex mutex;
  std::string answer;
  test::local_http_server endpoint([&](const http::request&) {
    const std::lock_guard lock(mutex);
    return http::response{200, {{"Content-Type", "application/json"}}, answer};
  });
  auto serve = [&](std::string body) {
    const std::lock_guard lock(mutex);
    answer = std::move(body);
  };
  auto container_config = [&] {
    aws::config config = secret_config(test::dynamodb_url(), test::s3_url());
    config.static_credentials.reset();
    config.container_credentials.url = endpoint.url() + "/credentials";
    config.instance_metadata.disabled = true;
    return config;
  };
  const std::string credentials_json = "\"AccessKeyId\":\"" + access_key +
                                       "\",\"SecretAccessKey\":\"" + secret_key +
                                       "\",\"Token\":\"" + session_token + "\"";
  for (const std::string& malformed :
       {"{" + credentials_json + ",\"Expiration\":\"not a time\"}",
        "{" + credentials_json + ",\"Expiration\":12}",
        "{" + credentials_json + ",\"Expiration\":\"2030-01-01T00:00:00Z\"",
        "{\"SecretAccessKey\":\"" + secret_key + "\",\"Token\":\"" + session_token + "\"}"}) {
    serve(malformed);
    boost::asio::io_context io;
    repo_options options;
    options.table_name_prefix = "secrets-container-";
    options.s3_bucket_name = "secrets-container";
    repo store(io.get_executor(), container_config(), with_capture(options, output));
    output.failure_of("malformed container credentials",
                      [&] { test::run_for(io, store.get_event_by_id("x"), 120s); });
  }

  serve("{" + credentials_json + ",\"Expiration\":\"2099-01-01T00:00:00Z\"}");
  test::store_fixture f("secretscontainer");
  repo store(f.io.get_executor(), container_config(), with_capture(f.options, output));
  f.run(store.init());
  std::vector<event> one{small_event("c-1", "c")};
  f.run(store.append(one));
  BOOST_TEST(f.run(store.get_event_by_id("c-1")).has_value());
}

/// A profile file holding the secret but not the key id: refused, without quoting it.
void run_profile_files(captured_output& output) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("evstore-secrets-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "credentials").string();
  const std::vector<std::string> contents = {
      "[default]\naws_secret_access_key = " + secret_key + "\n",
      "[default]\naws_access_key_id = " + access_key + "\naws_secret_access_key " + secret_key +
          "\n",
      "[default\naws_secret_access_key = " + secret_key + "\naws_session_token = " + session_token +
          "\n",
  };
  for (const std::string& content : contents) {
    std::ofstream(file) << content;
    const aws::environment env = aws::environment_from({{"AWS_SHARED_CREDENTIALS_FILE", file},
                                                        {"AWS_CONFIG_FILE", file + ".absent"},
                                                        {"AWS_REGION", "us-east-1"}});
    output.failure_of("profile file", [&] { (void)aws::config::from_environment(env); });
  }
  std::filesystem::remove_all(dir);
}

/// The tool, succeeding and failing, with the credentials in its environment.
void run_tool(captured_output& output) {
  test::cli_fixture cli;
  cli.environment()["AWS_ACCESS_KEY_ID"] = access_key;
  cli.environment()["AWS_SECRET_ACCESS_KEY"] = secret_key;
  cli.environment()["AWS_SESSION_TOKEN"] = session_token;
  const std::string big_line = R"({"id":"t-2","domain":"d","type":"t","identifier":"i",)"
                               R"("causationId":"t-1","payload":")" +
                               std::string(360 * 1024, 'b') + "\"}\n";
  const std::string small_line =
      R"({"id":"t-1","domain":"d","type":"t","identifier":"i","payload":1})"
      "\n";
  const std::vector<std::pair<std::vector<std::string>, std::string>> runs = {
      {{"init"}, ""},
      {{"append"}, small_line},
      {{"append"}, big_line},
      {{"replay"}, ""},
      {{"get", "t-2"}, ""},
      {{"caused-by", "t-1"}, ""},
      {{"get", "absent"}, ""},
      {{"append", "--expected-sequence", "0"}, small_line},
      {{"append"}, "{not json\n"},
      {{"frobnicate"}, ""},
      {{"--dynamodb-endpoint", "http://127.0.0.1:1", "replay"}, ""},
      {{"--s3-endpoint", test::s3rver_url(), "append"}, big_line},
      {{"reset"}, ""},
  };
  for (const auto& [quiet_args, input] : runs) {
    // Every library log line too, debug included.
    std::vector<std::string> args{"--verbose"};
    args.insert(args.end(), quiet_args.begin(), quiet_args.end());
    const test::process_result result = cli.evstore(args, input);
    std::string command;
    for (const std::string& arg : args) command += " " + arg;
    output.add("evstore" + command + " stdout", result.out);
    output.add("evstore" + command + " stderr", result.err);
  }
  // With the key id s3rver knows, the wrong secret is refused by signature.
  cli.environment()["AWS_ACCESS_KEY_ID"] = "S3RVER";
  const test::process_result refused = cli.evstore({"--s3-endpoint", test::s3rver_url(), "init"});
  BOOST_TEST(refused.status != 0);
  output.add("evstore init against s3rver stderr", refused.err);
  output.add("evstore init against s3rver stdout", refused.out);
  cli.environment()["AWS_ACCESS_KEY_ID"] = access_key;
  BOOST_TEST(cli.evstore({"reset"}).status == 0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(secrets_check)

BOOST_AUTO_TEST_CASE(no_output_holds_a_secret_a_token_or_a_signing_key) {
  captured_output output;
  run_library_operations(output);
  run_wrong_secret(output);
  run_refusing_endpoints(output);
  run_container_credentials(output);
  run_profile_files(output);
  run_tool(output);

  BOOST_TEST_MESSAGE("searched " << output.total_bytes() << " bytes from " << output.failures()
                                 << " failures and the rest of the run");
  // The run must have produced what is searched: failures and plenty of text.
  BOOST_TEST(output.failures() >= 16u);
  BOOST_TEST(output.total_bytes() > 2000u);

  for (const auto& [what, needle] : secret_needles()) {
    const std::vector<std::string> sources = output.holding(needle);
    BOOST_TEST(sources.empty(), what << " appears in " << sources.size() << " outputs, the first: "
                                     << (sources.empty() ? "" : sources.front()));
  }
}

// The search itself: each encoded form of the secret, put in the middle of some text and
// encoded there as a log line, a URL or a JSON document would, is found.
BOOST_AUTO_TEST_CASE(the_search_finds_each_encoded_form_of_a_secret) {
  const std::string text = "credentials: " + secret_key + " and " + session_token + ".";
  captured_output leaks;
  leaks.add("percent-encoded", "GET /?q=" + percent_encoded(text, true));
  leaks.add("percent-encoded (lowercase)", "GET /?q=" + percent_encoded(text, false));
  leaks.add("JSON-escaped", "{\"message\":\"" + with_slash_as(text, "\\/") + "\"}");
  for (std::size_t offset = 0; offset < 3; ++offset) {
    const std::string shifted = std::string(offset, '#') + text;
    leaks.add("base64 at offset " + std::to_string(offset),
              dynamodb::base64_encode(reinterpret_cast<const std::uint8_t*>(shifted.data()),
                                      shifted.size()));
  }
  std::set<std::string> found;
  for (const auto& [what, needle] : secret_needles())
    for (const std::string& source : leaks.holding(needle)) found.insert(source);
  BOOST_TEST(found.size() == 6u);
  BOOST_TEST(leaks.holding(percent_encoded(secret_key, true)).size() == 1u);
  BOOST_TEST(leaks.holding(with_slash_as(session_token, "\\/")).size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
