#include "s3/response_parser.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/error.hpp"
#include "recorded_response.hpp"

BOOST_AUTO_TEST_SUITE(response_parser)

using namespace evstore;
using s3::errc;
using s3::test::recorded;

namespace {

auto has_code(errc e) {
  return [e](const boost::system::system_error& error) {
    return error.code() == s3::make_error_code(e);
  };
}

std::vector<std::string> keys_of(const s3::list_page& page) {
  std::vector<std::string> keys;
  for (const s3::object_summary& summary : page.objects) keys.push_back(summary.key);
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_response_parser)

BOOST_AUTO_TEST_CASE(head_object_of_both_servers) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      s3::object_info info = s3::parse_object_info(recorded(server + "/head_object"));
      BOOST_TEST(info.size == 12u);
      BOOST_TEST(info.content_type == "text/plain");
      BOOST_TEST(info.etag == "\"e4d7f1b4ed2e42d15898f4b27b019da4\"");
      BOOST_TEST(info.last_modified.ends_with(" GMT"));
    }
  }
}

BOOST_AUTO_TEST_CASE(get_object_whole_and_within_the_limit) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      s3::object plain = s3::parse_bounded_object(recorded(server + "/get_object"), 12);
      BOOST_TEST(plain.body == "hello, world");
      BOOST_TEST(plain.info.size == 12u);
      // What a bounded GetObject of a small object gets: a 206 with every byte.
      s3::object ranged =
          s3::parse_bounded_object(recorded(server + "/get_object_range_whole"), 1000);
      BOOST_TEST(ranged.body == "hello, world");
      BOOST_TEST(ranged.info.size == 12u);
      BOOST_TEST(ranged.info.etag == "\"e4d7f1b4ed2e42d15898f4b27b019da4\"");
    }
  }
}

BOOST_AUTO_TEST_CASE(get_object_above_the_limit_is_a_clear_error) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      // A 206 for bytes 0-4 of 12: the object is larger than a limit of 4.
      try {
        s3::parse_bounded_object(recorded(server + "/get_object_range"), 4);
        BOOST_ERROR("expected object_too_large");
      } catch (const boost::system::system_error& e) {
        BOOST_TEST(has_code(errc::object_too_large)(e));
        BOOST_TEST(std::string(e.what()).find("12 bytes") != std::string::npos);
        BOOST_TEST(std::string(e.what()).find("limit of 4 bytes") != std::string::npos);
      }
      // A server that ignores Range sends everything: still refused.
      BOOST_CHECK_EXCEPTION(s3::parse_bounded_object(recorded(server + "/get_object"), 11),
                            boost::system::system_error, has_code(errc::object_too_large));
    }
  }
}

BOOST_AUTO_TEST_CASE(get_object_partial_body_within_the_limit_is_unexpected) {
  // Bytes 0-4 of 12 while the limit (20) covers the whole object: the server sent less
  // than asked for.
  BOOST_CHECK_EXCEPTION(s3::parse_bounded_object(recorded("fauxqs/get_object_range"), 20),
                        boost::system::system_error, has_code(errc::unexpected_response));
  http::response bad_range = recorded("fauxqs/get_object_range");
  for (http::header& h : bad_range.headers)
    if (h.name == "content-range") h.value = "bytes 0-4";
  BOOST_CHECK_EXCEPTION(s3::parse_bounded_object(bad_range, 20), boost::system::system_error,
                        has_code(errc::unexpected_response));
  // As many bytes as the object holds, but not from its start.
  const http::response shifted{206, {{"Content-Range", "bytes 1-3/3"}}, "abc"};
  BOOST_CHECK_EXCEPTION(s3::parse_bounded_object(shifted, 20), boost::system::system_error,
                        has_code(errc::unexpected_response));
}

BOOST_AUTO_TEST_CASE(put_object_and_upload_part_etags) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      BOOST_TEST(s3::parse_etag(recorded(server + "/put_object")) ==
                 "\"e4d7f1b4ed2e42d15898f4b27b019da4\"");
      // MD5 of 5 MiB of 'a'.
      BOOST_TEST(s3::parse_etag(recorded(server + "/upload_part")).size() == 34u);
    }
  }
  BOOST_CHECK_EXCEPTION(s3::parse_etag(recorded("fauxqs/delete_object")),
                        boost::system::system_error, has_code(errc::unexpected_response));
}

BOOST_AUTO_TEST_CASE(list_objects_v2_pages_of_fauxqs) {
  s3::list_page first = s3::parse_list_objects_v2(recorded("fauxqs/list_objects_v2_page1"));
  BOOST_TEST(first.truncated);
  BOOST_TEST(!first.next_continuation_token.empty());
  const std::vector<std::string> first_keys = {"dir/a b+c%d#e?f",
                                               "dir/caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC"};
  BOOST_TEST(keys_of(first) == first_keys, boost::test_tools::per_element());
  BOOST_TEST(first.objects[0].size == 15u);
  BOOST_TEST(first.objects[0].etag == "\"df8cd8b5694d199aa8a6ea6357bd4b60\"");
  BOOST_TEST(first.objects[0].storage_class == "STANDARD");
  BOOST_TEST(!first.objects[0].last_modified.empty());

  s3::list_page second = s3::parse_list_objects_v2(recorded("fauxqs/list_objects_v2_page2"));
  BOOST_TEST(!second.truncated);
  BOOST_TEST(second.next_continuation_token.empty());
  const std::vector<std::string> second_keys = {"dir/x&y<z>\"'"};
  BOOST_TEST(keys_of(second) == second_keys, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(list_objects_v2_of_s3rver) {
  s3::list_page page = s3::parse_list_objects_v2(recorded("s3rver/list_objects_v2"));
  BOOST_TEST(!page.truncated);
  BOOST_REQUIRE_EQUAL(page.objects.size(), 3u);
  BOOST_TEST(page.objects[0].key == "dir/a b+c%d#e?f");
  BOOST_TEST(page.objects[1].key == "dir/caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC");
  // s3rver escapes listed keys twice: what it sends decodes to the once-escaped key.
  BOOST_TEST(page.objects[2].key == "dir/x&amp;y&lt;z&gt;\"&#x27;");
}

BOOST_AUTO_TEST_CASE(empty_listings) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      s3::list_page page = s3::parse_list_objects_v2(recorded(server + "/list_objects_v2_empty"));
      BOOST_TEST(page.objects.empty());
      BOOST_TEST(!page.truncated);
    }
  }
}

BOOST_AUTO_TEST_CASE(url_encoded_listing_is_decoded) {
  s3::list_page page = s3::parse_list_objects_v2(recorded("aws/list_objects_v2_url_encoded"));
  BOOST_TEST(page.truncated);
  BOOST_TEST(page.next_continuation_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  const std::vector<std::string> keys = {"dir/a b+c%d#e?f", "dir/caf\xC3\xA9", "dir/bell\x07"};
  BOOST_TEST(keys_of(page) == keys, boost::test_tools::per_element());
  BOOST_TEST(page.objects[2].size == 5368709120u);
  BOOST_TEST(page.objects[2].storage_class == "STANDARD_IA");
}

BOOST_AUTO_TEST_CASE(malformed_listings_are_clear_errors) {
  const std::string good = recorded("fauxqs/list_objects_v2_page1").body;
  auto with_body = [](std::string body) {
    http::response response;
    response.status = 200;
    response.body = std::move(body);
    return response;
  };
  auto replaced = [&](std::string from, std::string to) {
    std::string body = good;
    body.replace(body.find(from), from.size(), to);
    return with_body(body);
  };
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(with_body(good.substr(0, good.size() / 2))),
                        boost::system::system_error, has_code(errc::malformed_xml));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(with_body("")), boost::system::system_error,
                        has_code(errc::malformed_xml));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(recorded("fauxqs/delete_objects")),
                        boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(replaced("<Size>15</Size>", "<Size>1x</Size>")),
                        boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(replaced("<Size>15</Size>", "<Size></Size>")),
                        boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(
      s3::parse_list_objects_v2(replaced("<Size>15</Size>", "<Size>99999999999999999999</Size>")),
      boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(replaced("<Key>dir/a b+c%d#e?f</Key>", "")),
                        boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(
      s3::parse_list_objects_v2(replaced("<IsTruncated>true", "<IsTruncated>maybe")),
      boost::system::system_error, has_code(errc::unexpected_response));
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(replaced("<NextContinuationToken>", "<Other>")),
                        boost::system::system_error, has_code(errc::malformed_xml));
  std::string no_token = good;
  std::size_t start = no_token.find("<NextContinuationToken>");
  std::size_t end = no_token.find("</NextContinuationToken>") + 24;
  no_token.erase(start, end - start);
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(with_body(no_token)), boost::system::system_error,
                        has_code(errc::unexpected_response));
  std::string bad_escape = recorded("aws/list_objects_v2_url_encoded").body;
  bad_escape.replace(bad_escape.find("%C3%A9"), 6, "%C");
  BOOST_CHECK_EXCEPTION(s3::parse_list_objects_v2(with_body(bad_escape)),
                        boost::system::system_error, has_code(errc::unexpected_response));
}

BOOST_AUTO_TEST_CASE(delete_objects_results) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      BOOST_TEST(s3::parse_delete_objects(recorded(server + "/delete_objects")).empty());
    }
  }
  std::vector<s3::delete_failure> failures =
      s3::parse_delete_objects(recorded("aws/delete_objects_quiet_failures"));
  BOOST_REQUIRE_EQUAL(failures.size(), 2u);
  BOOST_TEST(failures[0].key == "locked & kept");
  BOOST_TEST(failures[0].code == "AccessDenied");
  BOOST_TEST(failures[0].message == "Access Denied");
  BOOST_TEST(failures[1].code == "InternalError");
}

BOOST_AUTO_TEST_CASE(multipart_responses) {
  for (std::string server : {"fauxqs", "s3rver"}) {
    BOOST_TEST_CONTEXT(server) {
      BOOST_TEST(!s3::parse_create_multipart_upload(recorded(server + "/create_multipart_upload"))
                      .empty());
      std::string etag =
          s3::parse_complete_multipart_upload(recorded(server + "/complete_multipart_upload"));
      BOOST_TEST(etag.starts_with("\""));
    }
  }
  BOOST_TEST(s3::parse_complete_multipart_upload(recorded("fauxqs/complete_multipart_upload"))
                 .ends_with("-2\""));
  BOOST_CHECK_EXCEPTION(s3::parse_create_multipart_upload(recorded("fauxqs/delete_objects")),
                        boost::system::system_error, has_code(errc::unexpected_response));
  http::response no_id = recorded("fauxqs/create_multipart_upload");
  no_id.body.erase(no_id.body.find("<UploadId>"),
                   no_id.body.find("</UploadId>") + 11 - no_id.body.find("<UploadId>"));
  BOOST_CHECK_EXCEPTION(s3::parse_create_multipart_upload(no_id), boost::system::system_error,
                        has_code(errc::unexpected_response));
}

BOOST_AUTO_TEST_CASE(complete_multipart_upload_error_inside_a_200) {
  try {
    s3::parse_complete_multipart_upload(recorded("aws/complete_multipart_upload_error_in_200"));
    BOOST_FAIL("expected a service error");
  } catch (const s3::service_error& e) {
    BOOST_TEST(e.s3_code() == "InternalError");
    BOOST_TEST(e.status() == 200u);
    BOOST_TEST(e.request_id() == "4442587FB7D0A2F9");
    BOOST_TEST(e.retryable());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(s3_error_responses)

struct expected_error {
  std::string recording;
  unsigned status;
  std::string code;
  bool has_message;
  bool has_request_id;
};

BOOST_AUTO_TEST_CASE(error_bodies_of_both_servers) {
  const std::vector<expected_error> cases = {
      {"fauxqs/get_object_missing", 404, "NoSuchKey", true, true},
      {"s3rver/get_object_missing", 404, "NoSuchKey", true, false},
      {"fauxqs/no_such_bucket", 404, "NoSuchBucket", true, true},
      {"s3rver/no_such_bucket", 404, "NoSuchBucket", true, false},
      {"fauxqs/complete_multipart_upload_too_small", 400, "EntityTooSmall", true, true},
      {"fauxqs/upload_part_no_such_upload", 404, "NoSuchUpload", true, true},
      {"fauxqs/abort_multipart_upload_unknown", 404, "NoSuchUpload", true, true},
      {"s3rver/abort_multipart_upload", 405, "MethodNotAllowed", true, false},
      {"s3rver/create_bucket_again", 409, "BucketAlreadyExists", true, false},
      {"s3rver/signature_does_not_match", 403, "SignatureDoesNotMatch", true, false},
      {"aws/slow_down", 503, "SlowDown", true, true},
      // HEAD responses carry no body: the code comes from the status.
      {"fauxqs/head_object_missing", 404, "NotFound", false, true},
      {"s3rver/head_object_missing", 404, "NotFound", false, false},
      {"fauxqs/head_bucket_missing", 404, "NotFound", false, true},
      {"s3rver/head_bucket_missing", 404, "NotFound", false, false},
      {"aws/head_bucket_forbidden", 403, "Forbidden", false, true},
  };
  for (const expected_error& c : cases) {
    BOOST_TEST_CONTEXT(c.recording) {
      http::response response = recorded(c.recording);
      BOOST_TEST(response.status == c.status);
      s3::error_details details = s3::parse_error_response(response);
      BOOST_TEST(details.code == c.code);
      BOOST_TEST(s3::error_code_of(response) == c.code);
      BOOST_TEST(details.message.empty() == !c.has_message);
      BOOST_TEST(details.request_id.empty() == !c.has_request_id);
    }
  }
}

BOOST_AUTO_TEST_CASE(request_id_from_the_body_wins_over_the_header) {
  http::response response = recorded("fauxqs/get_object_missing");
  s3::error_details details = s3::parse_error_response(response);
  BOOST_TEST(details.request_id != std::string(response.header("x-amz-request-id")));
  BOOST_TEST(response.body.find("<RequestId>" + details.request_id + "</RequestId>") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_error_bodies_fall_back_to_the_status) {
  http::response truncated = recorded("fauxqs/no_such_bucket");
  truncated.body.resize(truncated.body.size() / 2);
  s3::error_details details = s3::parse_error_response(truncated);
  BOOST_TEST(details.code == "NotFound");
  BOOST_TEST(details.message.find("unreadable error response body") != std::string::npos);

  http::response json;
  json.status = 500;
  json.body = R"({"statusCode":500,"error":"Internal Server Error"})";
  BOOST_TEST(s3::parse_error_response(json).code == "InternalError");

  http::response other_root;
  other_root.status = 502;
  other_root.body = "<html><body>Bad Gateway</body></html>";
  details = s3::parse_error_response(other_root);
  BOOST_TEST(details.code == "BadGateway");
  BOOST_TEST(details.message.find("<html>") != std::string::npos);

  http::response empty_code;
  empty_code.status = 418;
  empty_code.body = "<Error><Code></Code></Error>";
  BOOST_TEST(s3::parse_error_response(empty_code).code == "Http418");

  http::response huge;
  huge.status = 400;
  huge.body = "<Error><Code>X</Code><Message>" + std::string(100000, 'm') + "</Message></Error>";
  BOOST_TEST(s3::parse_error_response(huge).message.size() < 1000u);
}

BOOST_AUTO_TEST_CASE(service_error_says_what_failed) {
  try {
    s3::throw_service_error("GetObject", recorded("fauxqs/get_object_missing"));
  } catch (const s3::service_error& e) {
    BOOST_TEST(e.code() == s3::make_error_code(errc::service_error));
    BOOST_TEST(e.status() == 404u);
    BOOST_TEST(e.s3_code() == "NoSuchKey");
    BOOST_TEST(!e.s3_message().empty());
    BOOST_TEST(!e.retryable());
    std::string what = e.what();
    BOOST_TEST(what.find("S3 GetObject failed with NoSuchKey (HTTP 404)") != std::string::npos);
    BOOST_TEST(what.find(e.request_id()) != std::string::npos);
  }
  BOOST_CHECK_EXCEPTION(s3::throw_service_error("PutObject", recorded("aws/slow_down")),
                        s3::service_error,
                        [](const s3::service_error& e) { return e.retryable(); });
  BOOST_CHECK_EXCEPTION(
      s3::throw_service_error("GetObject", recorded("s3rver/signature_does_not_match")),
      s3::service_error, [](const s3::service_error& e) {
        // s3rver's body holds the string to sign; none of it belongs in the message.
        return !e.retryable() && std::string(e.what()).find("AWS4-HMAC") == std::string::npos;
      });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
