// The S3 client against an in-process scripted server (no emulator needed): what it sends, and
// how multipart uploads behave when parts, completion, the abort or the caller fail, or when the
// answer to a create or a completion is lost.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/s3/client.hpp"
#include "evstore/s3/error.hpp"
#include "s3/content_md5.hpp"
#include "s3/multipart_etag.hpp"
#include "s3_harness.hpp"
#include "support/local_http_server.hpp"

BOOST_AUTO_TEST_SUITE(client_scripted_server)

using namespace evstore;
using namespace std::chrono_literals;
using s3::test::run;

namespace {

http::response xml_response(unsigned status, std::string body) {
  return {status, {{"Content-Type", "application/xml"}}, std::move(body)};
}

http::response error_response(unsigned status, std::string_view code) {
  return xml_response(
      status, "<Error><Code>" + std::string(code) + "</Code><Message>scripted</Message></Error>");
}

// How the first CompleteMultipartUpload is answered after the server applied it.
enum class completion_answer {
  sent,
  truncated,  // a body shorter than its Content-Length, then the connection closed
  stalled,    // nothing until `stall`, longer than the client's request timeout
};

// A multipart-upload endpoint whose answers a test scripts; it records what it was sent.
// Completing stores the object (its ETag from the parts' bytes, as S3 computes it) and ends
// the upload: later completions and aborts of it meet 404 NoSuchUpload, as on S3.
struct scripted_s3 {
  std::mutex mutex;
  std::vector<http::request> requests;
  std::set<unsigned> failing_parts;  // answered 400 InvalidArgument
  bool fail_complete = false;        // 400 InvalidPart
  bool complete_error_in_200 = false;
  bool fail_abort = false;  // 500 InternalError, every attempt
  completion_answer first_completion = completion_answer::sent;
  std::chrono::milliseconds stall{0};
  bool upload_gone = false;  // the upload is unknown: from the start, or once completed
  std::optional<std::string> stored_object_etag;   // HeadObject of the key: 404 when none
  std::optional<std::string> replace_object_etag;  // another writer's object, once completed
  std::map<unsigned, std::string> part_bodies;
  bool lose_first_create_answer = false;  // truncated, so the client sends it again
  std::size_t creates = 0;
  std::optional<std::string> uploads_listing;  // ListMultipartUploads answer; 400 when none

  http::response handle(const http::request& req) {
    std::lock_guard lock(mutex);
    requests.push_back(req);
    const std::string& target = req.target;
    if (req.method == "POST" && target.ends_with("?uploads")) {
      const std::string body =
          "<InitiateMultipartUploadResult><UploadId>scripted-id</UploadId>"
          "</InitiateMultipartUploadResult>";
      if (lose_first_create_answer && ++creates == 1)
        return {200,
                {{"Content-Length", std::to_string(body.size())}, {"Connection", "close"}},
                body.substr(0, 20)};
      return xml_response(200, body);
    }
    if (req.method == "GET" && target.ends_with("&uploads") && uploads_listing)
      return xml_response(200, *uploads_listing);
    if (req.method == "PUT" && target.find("partNumber=") != std::string::npos) {
      unsigned part = std::stoul(target.substr(target.find("partNumber=") + 11));
      if (failing_parts.contains(part)) return error_response(400, "InvalidArgument");
      part_bodies[part] = req.body;
      return {200, {{"ETag", "\"etag-" + std::to_string(part) + "\""}}, {}};
    }
    if (req.method == "POST" && target.find("uploadId=") != std::string::npos) {
      if (upload_gone) return error_response(404, "NoSuchUpload");
      if (fail_complete) return error_response(400, "InvalidPart");
      if (complete_error_in_200) return error_response(200, "InternalError");
      return complete();
    }
    if (req.method == "DELETE" && target.find("uploadId=") != std::string::npos) {
      if (fail_abort) return error_response(500, "InternalError");
      return upload_gone ? error_response(404, "NoSuchUpload") : http::response{204, {}, {}};
    }
    if (req.method == "HEAD" && target.starts_with("/bucket/")) {
      if (!stored_object_etag) return {404, {}, {}};
      return {200, {{"ETag", "\"" + *stored_object_etag + "\""}, {"Content-Length", "0"}}, {}};
    }
    if (req.method == "HEAD") return {403, {}, {}};
    if (req.method == "PUT") return error_response(409, "BucketAlreadyOwnedByYou");
    if (req.method == "POST" && target.ends_with("?delete"))
      return xml_response(200, "<DeleteResult></DeleteResult>");
    return error_response(400, "Unscripted");
  }

  // Stores the object from the parts received and ends the upload, then answers as scripted.
  http::response complete() {
    std::vector<std::string_view> parts;
    for (const auto& [number, body] : part_bodies) parts.push_back(body);
    stored_object_etag = replace_object_etag ? *replace_object_etag : s3::multipart_etag(parts);
    upload_gone = true;
    const std::string body = "<CompleteMultipartUploadResult><ETag>\"" + *stored_object_etag +
                             "\"</ETag></CompleteMultipartUploadResult>";
    if (first_completion == completion_answer::truncated)
      return {200,
              {{"Content-Type", "application/xml"},
               {"Content-Length", std::to_string(body.size())},
               {"Connection", "close"}},
              body.substr(0, body.size() / 2)};
    if (first_completion == completion_answer::stalled) std::this_thread::sleep_for(stall);
    return xml_response(200, body);
  }

  std::size_t count(std::string_view method, std::string_view target_part) {
    std::lock_guard lock(mutex);
    std::size_t n = 0;
    for (const http::request& req : requests)
      if (req.method == method && req.target.find(target_part) != std::string::npos) ++n;
    return n;
  }
};

struct scripted_fixture {
  explicit scripted_fixture(s3::client_options options = s3::test::local_options())
      : server([this](const http::request& req) { return script.handle(req); }),
        s3(io.get_executor(), s3::test::local_config(server.url()), s3::test::local_credentials(io),
           std::move(options)) {}

  scripted_s3 script;
  test::local_http_server server;
  boost::asio::io_context io;
  s3::client s3;
};

s3::client_options two_at_once() {
  s3::client_options options = s3::test::local_options();
  options.max_concurrent_parts = 2;
  return options;
}

const std::vector<std::string_view> six_parts = {"p1", "p2", "p3", "p4", "p5", "p6"};

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_client_scripted)

BOOST_AUTO_TEST_CASE(parts_go_concurrently_within_the_cap_and_complete_in_order) {
  scripted_fixture f(two_at_once());
  f.server.set_response_delay(30ms);
  s3::put_result put = run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
  BOOST_TEST(put.etag == "\"" + s3::multipart_etag(six_parts) + "\"");
  BOOST_TEST(f.server.peak_open_connections() == 2u);
  BOOST_TEST(f.script.count("PUT", "partNumber=") == 6u);
  BOOST_TEST(f.script.count("DELETE", "uploadId=") == 0u);

  std::lock_guard lock(f.script.mutex);
  const http::request& complete = f.script.requests.back();
  BOOST_TEST(complete.target == "/bucket/key?uploadId=scripted-id");
  std::size_t at = 0;
  for (int part = 1; part <= 6; ++part) {
    std::string entry = "<Part><PartNumber>" + std::to_string(part) +
                        "</PartNumber><ETag>&quot;etag-" + std::to_string(part) +
                        "&quot;</ETag></Part>";
    at = complete.body.find(entry, at);
    BOOST_TEST(at != std::string::npos, "part " << part << " listed in order");
  }
}

BOOST_AUTO_TEST_CASE(requests_are_signed_for_s3) {
  scripted_fixture f;
  run(f.io, f.s3.multipart_upload("bucket", "a key", {"x"}));
  std::lock_guard lock(f.script.mutex);
  for (const http::request& req : f.script.requests) {
    BOOST_TEST_CONTEXT(req.method << " " << req.target) {
      BOOST_TEST(http::find_header(req.headers, "Authorization").starts_with("AWS4-HMAC-SHA256"));
      BOOST_TEST(http::find_header(req.headers, "x-amz-content-sha256").size() == 64u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_failed_part_aborts_the_upload) {
  scripted_fixture f(two_at_once());
  f.script.failing_parts = {3};
  try {
    run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
    BOOST_FAIL("expected a multipart_upload_error");
  } catch (const s3::multipart_upload_error& e) {
    BOOST_TEST(e.s3_code() == "InvalidArgument");
    BOOST_TEST(e.upload_id() == "scripted-id");
    BOOST_TEST(e.aborted());
    BOOST_CHECK_THROW(std::rethrow_exception(e.cause()), s3::service_error);
  }
  BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 1u);
  BOOST_TEST(f.script.count("POST", "?uploadId=") == 0u);  // never completed
}

BOOST_AUTO_TEST_CASE(a_failed_completion_aborts_the_upload) {
  for (bool error_in_200 : {false, true}) {
    BOOST_TEST_CONTEXT("error in a 200: " << error_in_200) {
      scripted_fixture f;
      f.script.fail_complete = !error_in_200;
      f.script.complete_error_in_200 = error_in_200;
      BOOST_CHECK_EXCEPTION(
          run(f.io, f.s3.multipart_upload("bucket", "key", six_parts)), s3::multipart_upload_error,
          [&](const s3::multipart_upload_error& e) {
            return e.aborted() && e.s3_code() == (error_in_200 ? "InternalError" : "InvalidPart");
          });
      BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 1u);
      // S3 said it did not complete the upload: nothing to look for.
      BOOST_TEST(f.script.count("HEAD", "/bucket/key") == 0u);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_completion_whose_answer_was_lost_succeeds_when_the_object_is_whole) {
  for (completion_answer loss : {completion_answer::truncated, completion_answer::stalled}) {
    for (unsigned attempts : {1u, 2u}) {
      BOOST_TEST_CONTEXT("answer "
                         << (loss == completion_answer::truncated ? "truncated" : "stalled") << ", "
                         << attempts << " attempts") {
        s3::client_options options = s3::test::local_options();
        options.service.retry.max_attempts = attempts;
        // The stall outlasts the request timeout, but not by so much that the requests that
        // follow it (handled on the same server thread) time out too.
        options.service.http.request_timeout = 1000ms;
        std::vector<std::string> log;
        options.service.log = [&](aws::log_level, std::string_view line) {
          log.emplace_back(line);
        };
        scripted_fixture f(options);
        f.script.first_completion = loss;
        f.script.stall = 1400ms;
        s3::put_result put = run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
        BOOST_TEST(put.etag == "\"" + s3::multipart_etag(six_parts) + "\"");
        // Sent once more after the lost answer, when retries allow: that one met NoSuchUpload.
        BOOST_TEST(f.script.count("POST", "?uploadId=scripted-id") == attempts);
        BOOST_TEST(f.script.count("HEAD", "/bucket/key") == 1u);
        BOOST_TEST(f.script.count("DELETE", "uploadId=") == 0u);
        std::size_t recognised = 0;
        for (const std::string& line : log)
          if (line.find("its answer was lost, the upload completed") != std::string::npos)
            ++recognised;
        BOOST_TEST(recognised == 1u);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_lost_completion_answer_over_another_object_is_a_failure) {
  scripted_fixture f;
  f.script.first_completion = completion_answer::truncated;
  // The same number of parts, other bytes: only the digests tell the objects apart.
  const std::vector<std::string_view> other_parts = {"q1", "q2", "q3", "q4", "q5", "q6"};
  f.script.replace_object_etag = s3::multipart_etag(other_parts);
  BOOST_CHECK_EXCEPTION(run(f.io, f.s3.multipart_upload("bucket", "key", six_parts)),
                        s3::multipart_upload_error, [](const s3::multipart_upload_error& e) {
                          // The abort met NoSuchUpload: nothing of the upload is left.
                          return e.s3_code() == "NoSuchUpload" && e.aborted();
                        });
  BOOST_TEST(f.script.count("POST", "?uploadId=scripted-id") == 2u);
  BOOST_TEST(f.script.count("HEAD", "/bucket/key") == 1u);
  BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 1u);
}

BOOST_AUTO_TEST_CASE(an_upload_gone_without_an_object_is_a_failure) {
  scripted_fixture f;
  f.script.upload_gone = true;
  BOOST_CHECK_EXCEPTION(
      run(f.io, f.s3.multipart_upload("bucket", "key", six_parts)), s3::multipart_upload_error,
      [](const s3::multipart_upload_error& e) { return e.s3_code() == "NoSuchUpload"; });
  BOOST_TEST(f.script.count("HEAD", "/bucket/key") == 1u);
  BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 1u);
}

// ListMultipartUploads of "key": an upload an earlier CreateMultipartUpload started, ours, one
// of the same key started after ours, and one of another key the prefix matches.
const std::string uploads_of_key =
    "<ListMultipartUploadsResult><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>"
    "<Upload><Key>key</Key><UploadId>orphan-id</UploadId>"
    "<Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload>"
    "<Upload><Key>key%2Ebak</Key><UploadId>other-key-id</UploadId>"
    "<Initiated>2026-01-02T03:04:05.000Z</Initiated></Upload>"
    "<Upload><Key>key</Key><UploadId>scripted-id</UploadId>"
    "<Initiated>2026-01-02T03:04:05.250Z</Initiated></Upload>"
    "<Upload><Key>key</Key><UploadId>later-id</UploadId>"
    "<Initiated>2026-01-02T03:04:06.000Z</Initiated></Upload>"
    "</ListMultipartUploadsResult>";

BOOST_AUTO_TEST_CASE(a_resent_create_aborts_the_upload_an_earlier_send_started) {
  for (bool resent : {false, true}) {
    BOOST_TEST_CONTEXT("CreateMultipartUpload resent: " << resent) {
      scripted_fixture f;
      f.script.lose_first_create_answer = resent;
      f.script.uploads_listing = uploads_of_key;
      s3::put_result put = run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
      BOOST_TEST(put.etag == "\"" + s3::multipart_etag(six_parts) + "\"");
      BOOST_TEST(f.script.count("POST", "?uploads") == (resent ? 2u : 1u));
      BOOST_TEST(f.script.count("GET", "?encoding-type=url&prefix=key&uploads") ==
                 (resent ? 1u : 0u));
      BOOST_TEST(f.script.count("DELETE", "uploadId=orphan-id") == (resent ? 1u : 0u));
      BOOST_TEST(f.script.count("DELETE", "uploadId=") == f.script.count("DELETE", "orphan-id"));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_server_without_upload_listing_leaves_the_upload_unharmed) {
  s3::client_options options = s3::test::local_options();
  std::vector<std::string> warnings;
  options.service.log = [&](aws::log_level level, std::string_view line) {
    if (level == aws::log_level::warning) warnings.emplace_back(line);
  };
  scripted_fixture f(options);
  f.script.lose_first_create_answer = true;
  // What fauxqs answers: the ?uploads is ignored and the objects listed.
  f.script.uploads_listing = "<ListBucketResult><Name>bucket</Name></ListBucketResult>";
  s3::put_result put = run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
  BOOST_TEST(put.etag == "\"" + s3::multipart_etag(six_parts) + "\"");
  BOOST_TEST(f.script.count("DELETE", "uploadId=") == 0u);
  BOOST_REQUIRE_EQUAL(warnings.size(), 1u);
  BOOST_TEST(warnings[0].find("AbortIncompleteMultipartUpload") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_abort_is_reported_with_the_upload_id) {
  scripted_fixture f;
  f.script.failing_parts = {1};
  f.script.fail_abort = true;
  try {
    run(f.io, f.s3.multipart_upload("bucket", "key", six_parts));
    BOOST_FAIL("expected a multipart_upload_error");
  } catch (const s3::multipart_upload_error& e) {
    BOOST_TEST(!e.aborted());
    BOOST_CHECK_THROW(std::rethrow_exception(e.abort_failure()), s3::service_error);
    std::string what = e.what();
    BOOST_TEST(what.find("scripted-id") != std::string::npos);
    BOOST_TEST(what.find("aborting the upload failed too") != std::string::npos);
  }
  // The abort's 500 was retried as the retry policy allows (local_options: 2 attempts).
  BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 2u);
}

BOOST_AUTO_TEST_CASE(a_cancelled_upload_is_aborted) {
  scripted_fixture f;
  f.server.set_response_delay(200ms);
  boost::asio::cancellation_signal cancel;
  std::exception_ptr failure;
  bool done = false;
  boost::asio::co_spawn(
      f.io, f.s3.multipart_upload("bucket", "key", six_parts),
      boost::asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, s3::put_result) {
        failure = e;
        done = true;
      }));
  boost::asio::steady_timer timer(f.io, 300ms);  // CreateMultipartUpload done, a part in flight
  timer.async_wait(
      [&](boost::system::error_code) { cancel.emit(boost::asio::cancellation_type::terminal); });
  auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!done && std::chrono::steady_clock::now() < deadline) f.io.run_one_for(1s);
  BOOST_REQUIRE(done);
  BOOST_REQUIRE(failure);
  try {
    std::rethrow_exception(failure);
  } catch (const s3::multipart_upload_error& e) {
    BOOST_TEST(e.code() == boost::asio::error::operation_aborted);
    BOOST_TEST(e.aborted());
  }
  BOOST_TEST(f.script.count("DELETE", "uploadId=scripted-id") == 1u);
  BOOST_TEST(f.script.count("PUT", "partNumber=") < six_parts.size());
}

BOOST_AUTO_TEST_CASE(bucket_answers_without_a_body) {
  scripted_fixture f;
  // HeadBucket: a 403 has no body, and is not "missing".
  BOOST_CHECK_EXCEPTION(
      run(f.io, f.s3.head_bucket("bucket")), s3::service_error,
      [](const s3::service_error& e) { return e.s3_code() == "Forbidden" && e.status() == 403; });
  BOOST_TEST(!run(f.io, f.s3.create_bucket("bucket")));  // BucketAlreadyOwnedByYou
}

BOOST_AUTO_TEST_CASE(delete_objects_goes_in_batches_of_1000_with_content_md5) {
  scripted_fixture f;
  std::vector<std::string> keys;
  for (int i = 0; i < 2001; ++i) keys.push_back("k" + std::to_string(i));
  BOOST_TEST(run(f.io, f.s3.delete_objects("bucket", keys)).empty());
  std::lock_guard lock(f.script.mutex);
  BOOST_REQUIRE_EQUAL(f.script.requests.size(), 3u);
  for (const http::request& req : f.script.requests)
    BOOST_TEST(http::find_header(req.headers, "Content-MD5") == s3::content_md5(req.body));
  BOOST_TEST(f.script.requests[2].body.find("<Key>k2000</Key>") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
