// Live check of the signer against @20minutes/s3rver, the local S3 that verifies SigV4 (started
// by scripts/emulators on 127.0.0.1:4570; its access key and secret are both "S3RVER"): signed
// requests are accepted, the same requests signed with a wrong secret are rejected.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <unistd.h>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "evstore/aws/sigv4.hpp"
#include "evstore/http/client.hpp"
#include "support/run_awaitable.hpp"
#include "support/servers.hpp"

BOOST_AUTO_TEST_SUITE(sigv4_s3rver)

namespace asio = boost::asio;
namespace aws = evstore::aws;
namespace http = evstore::http;
using namespace std::chrono_literals;

namespace {

const aws::credentials s3rver_creds{"S3RVER", "S3RVER", "", std::nullopt};
const aws::credentials wrong_secret{"S3RVER", "not-the-secret", "", std::nullopt};

struct s3rver_fixture {
  asio::io_context io;
  http::endpoint endpoint = http::endpoint::parse(evstore::test::s3rver_url());
  http::connection_pool pool{io.get_executor(), endpoint, options()};
  aws::sigv4_signer signer{"us-east-1", "s3", {.s3 = true}};
  // Unique per run, so a rerun against the same server data starts clean.
  std::string bucket = "evstore-sigv4-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::chrono::system_clock::now().time_since_epoch().count());

  static http::client_options options() {
    http::client_options o;
    o.connect_timeout = 3000ms;
    o.request_timeout = 10000ms;
    return o;
  }

  /// Signs and sends; `path` starts with '/' and is already percent-encoded.
  http::response send(std::string method, const std::string& path, std::string body,
                      const aws::credentials& creds, http::header_list headers = {}) {
    http::request req{std::move(method), endpoint.base_path + path, std::move(headers),
                      std::move(body)};
    signer.sign(req, endpoint.authority(), creds, std::chrono::system_clock::now());
    return evstore::test::run_awaitable(io, pool.send(std::move(req)));
  }
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(signed_requests_are_accepted_and_wrong_secret_rejected, s3rver_fixture) {
  // s3rver signs bucket-level paths without the trailing slash, so none is sent.
  const std::string bucket_path = "/" + bucket;
  const std::string object_path = bucket_path + "/dir/hello%20world%2B%E2%82%AC.txt";
  const std::string content = "signed by evstore";

  const http::response rejected_bucket = send("PUT", bucket_path, "", wrong_secret);
  BOOST_TEST(rejected_bucket.status == 403u);
  BOOST_TEST(rejected_bucket.body.find("SignatureDoesNotMatch") != std::string::npos);

  const http::response created = send("PUT", bucket_path, "", s3rver_creds);
  BOOST_TEST_REQUIRE(created.status == 200u, "create bucket: HTTP " << created.status << "\n"
                                                                    << created.body);

  const http::response put =
      send("PUT", object_path, content, s3rver_creds, {{"Content-Type", "text/plain"}});
  BOOST_TEST_REQUIRE(put.status == 200u, "put object: HTTP " << put.status << "\n" << put.body);

  const http::response got = send("GET", object_path, "", s3rver_creds);
  BOOST_TEST(got.status == 200u, "get object: HTTP " << got.status << "\n" << got.body);
  BOOST_TEST(got.body == content);

  const http::response listed =
      send("GET", bucket_path + "?prefix=dir%2F&max-keys=10", "", s3rver_creds);
  BOOST_TEST(listed.status == 200u, "list objects: HTTP " << listed.status << "\n" << listed.body);
  BOOST_TEST(listed.body.find("hello world+") != std::string::npos);

  for (const char* method : {"PUT", "GET"}) {
    const http::response rejected =
        send(method, object_path, method == std::string("PUT") ? "overwritten" : "", wrong_secret);
    BOOST_TEST(rejected.status == 403u, method);
    BOOST_TEST(rejected.body.find("SignatureDoesNotMatch") != std::string::npos, method);
  }
  // The rejected PUT changed nothing.
  BOOST_TEST(send("GET", object_path, "", s3rver_creds).body == content);

  BOOST_TEST(send("DELETE", object_path, "", s3rver_creds).status == 204u);
  BOOST_TEST(send("DELETE", bucket_path, "", s3rver_creds).status == 204u);
}

BOOST_AUTO_TEST_SUITE_END()
