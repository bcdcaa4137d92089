#include "http/request_head.hpp"

#include <string>

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/http/error.hpp"

BOOST_AUTO_TEST_SUITE(request_head)

using namespace evstore::http;

namespace {

bool is_invalid_request(const boost::system::system_error& e) {
  return e.code() == errc::invalid_request;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_request_head)

BOOST_AUTO_TEST_CASE(adds_host_and_content_length) {
  const request req{"POST", "/", {{"X-Amz-Target", "DynamoDB_20120810.PutItem"}}, "{}"};
  std::string out = "left over";
  write_request_head(req, "127.0.0.1:8000", out);
  BOOST_TEST(out ==
             "POST / HTTP/1.1\r\n"
             "X-Amz-Target: DynamoDB_20120810.PutItem\r\n"
             "Host: 127.0.0.1:8000\r\n"
             "Content-Length: 2\r\n"
             "\r\n");
}

BOOST_AUTO_TEST_CASE(keeps_callers_host_and_matching_content_length) {
  const request req{"PUT", "/b/k?x=1", {{"host", "b.s3"}, {"content-length", "3"}}, "abc"};
  std::string out;
  write_request_head(req, "ignored", out);
  BOOST_TEST(out == "PUT /b/k?x=1 HTTP/1.1\r\nhost: b.s3\r\ncontent-length: 3\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(get_without_body_has_no_content_length_and_put_always_has_one) {
  std::string out;
  write_request_head({"GET", "/x", {}, ""}, "h", out);
  BOOST_TEST(out == "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
  write_request_head({"PUT", "/x", {}, ""}, "h", out);
  BOOST_TEST(out == "PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
}

BOOST_AUTO_TEST_CASE(rejects_what_cannot_go_on_the_wire_as_is) {
  const request bad[] = {
      {"", "/", {}, ""},
      {"GE T", "/", {}, ""},
      {"GET", "", {}, ""},
      {"GET", "/a b", {}, ""},
      {"GET", "/a\r\nX: y", {}, ""},
      {"GET", "/", {{"Bad Name", "v"}}, ""},
      {"GET", "/", {{"", "v"}}, ""},
      {"GET", "/", {{"X-Injected", "v\r\nEvil: 1"}}, ""},
      {"GET", "/", {{"X-Nul", std::string("a\0b", 3)}}, ""},
      {"PUT", "/", {{"Content-Length", "4"}}, "abc"},
      {"PUT", "/", {{"Content-Length", "3x"}}, "abc"},
      {"PUT", "/", {{"Transfer-Encoding", "chunked"}}, "abc"},
  };
  for (const request& req : bad) {
    BOOST_TEST_CONTEXT("method \"" << req.method << "\" target \"" << req.target << "\"") {
      std::string out;
      BOOST_CHECK_EXCEPTION(write_request_head(req, "h", out), boost::system::system_error,
                            is_invalid_request);
    }
  }
}

BOOST_AUTO_TEST_CASE(error_never_quotes_a_header_value) {
  const request req{"GET", "/", {{"Authorization", "AWS4-HMAC-SHA256 secret\nsig"}}, ""};
  std::string out;
  try {
    write_request_head(req, "h", out);
    BOOST_ERROR("accepted a header value with a line feed");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(std::string(e.what()).find("secret") == std::string::npos);
    BOOST_TEST(std::string(e.what()).find("Authorization") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
