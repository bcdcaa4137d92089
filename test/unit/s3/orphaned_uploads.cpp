#include "s3/orphaned_uploads.hpp"

#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/error.hpp"

BOOST_AUTO_TEST_SUITE(orphaned_uploads)

using namespace evstore;

namespace {

http::response listing(std::string body) {
  return {200, {{"Content-Type", "application/xml"}}, std::move(body)};
}

bool has_code(const boost::system::system_error& e, s3::errc code) {
  return e.code() == s3::make_error_code(code);
}

std::vector<std::string> ids_of(const std::vector<s3::listed_upload>& uploads) {
  std::vector<std::string> ids;
  for (const s3::listed_upload& upload : uploads) ids.push_back(upload.upload_id);
  return ids;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_orphaned_uploads)

BOOST_AUTO_TEST_CASE(the_request_lists_the_uploads_of_one_key_url_encoded) {
  http::request path_style = s3::list_multipart_uploads_request("/bucket", "events/a b+1.json");
  BOOST_TEST(path_style.method == "GET");
  BOOST_TEST(path_style.target ==
             "/bucket?encoding-type=url&prefix=events%2Fa%20b%2B1.json&uploads");
  BOOST_TEST(path_style.body.empty());
  BOOST_TEST(s3::list_multipart_uploads_request("/", "k").target ==
             "/?encoding-type=url&prefix=k&uploads");
  BOOST_CHECK_EXCEPTION(
      s3::list_multipart_uploads_request("/bucket", ""), boost::system::system_error,
      [](const boost::system::system_error& e) { return has_code(e, s3::errc::invalid_argument); });
}

BOOST_AUTO_TEST_CASE(the_response_gives_each_upload_with_its_key_decoded) {
  // The shape S3 documents, with the elements the client does not read.
  const std::vector<s3::listed_upload> uploads = s3::parse_list_multipart_uploads(
      listing("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              "<ListMultipartUploadsResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
              "<Bucket>bucket</Bucket><KeyMarker></KeyMarker><UploadIdMarker></UploadIdMarker>"
              "<NextKeyMarker>events%2Fa%20b.json</NextKeyMarker><Prefix>events%2Fa</Prefix>"
              "<EncodingType>url</EncodingType><MaxUploads>1000</MaxUploads>"
              "<IsTruncated>false</IsTruncated>"
              "<Upload><Key>events%2Fa</Key><UploadId>id-1</UploadId>"
              "<Initiator><ID>x</ID><DisplayName>y</DisplayName></Initiator>"
              "<StorageClass>STANDARD</StorageClass><Initiated>2026-01-02T03:04:05.000Z</Initiated>"
              "</Upload>"
              "<Upload><Key>events%2Fa%20b.json</Key><UploadId>id-2</UploadId>"
              "<Initiated>2026-01-02T03:04:06.000Z</Initiated></Upload>"
              "</ListMultipartUploadsResult>"));
  BOOST_REQUIRE_EQUAL(uploads.size(), 2u);
  BOOST_TEST(uploads[0].key == "events/a");
  BOOST_TEST(uploads[0].upload_id == "id-1");
  BOOST_TEST(uploads[0].initiated == "2026-01-02T03:04:05.000Z");
  BOOST_TEST(uploads[1].key == "events/a b.json");

  BOOST_TEST(s3::parse_list_multipart_uploads(
                 listing("<ListMultipartUploadsResult><IsTruncated>false</IsTruncated>"
                         "</ListMultipartUploadsResult>"))
                 .empty());
}

BOOST_AUTO_TEST_CASE(other_answers_are_clear_errors) {
  // fauxqs ignores ?uploads and lists objects.
  BOOST_CHECK_EXCEPTION(s3::parse_list_multipart_uploads(
                            listing("<ListBucketResult><Name>b</Name></ListBucketResult>")),
                        boost::system::system_error, [](const boost::system::system_error& e) {
                          return has_code(e, s3::errc::unexpected_response) &&
                                 std::string(e.what()).find("ListBucketResult") !=
                                     std::string::npos;
                        });
  BOOST_CHECK_EXCEPTION(
      s3::parse_list_multipart_uploads(listing("<ListMultipartUploadsResult><Upload><Key>k</Key>"
                                               "<Initiated>t</Initiated></Upload>"
                                               "</ListMultipartUploadsResult>")),
      boost::system::system_error, [](const boost::system::system_error& e) {
        return has_code(e, s3::errc::unexpected_response) &&
               std::string(e.what()).find("UploadId") != std::string::npos;
      });
  BOOST_CHECK_EXCEPTION(s3::parse_list_multipart_uploads(listing("<ListMultipartUploadsResult>")),
                        boost::system::system_error, [](const boost::system::system_error& e) {
                          return has_code(e, s3::errc::malformed_xml);
                        });
}

BOOST_AUTO_TEST_CASE(earlier_uploads_of_exactly_the_key_are_chosen) {
  const std::vector<s3::listed_upload> listed = {
      {.key = "k", .upload_id = "same-second", .initiated = "2026-01-02T03:04:05.000Z"},
      {.key = "k", .upload_id = "earlier", .initiated = "2026-01-02T03:04:04.900Z"},
      {.key = "k.bak", .upload_id = "other-key", .initiated = "2026-01-02T03:04:04.000Z"},
      {.key = "k", .upload_id = "ours", .initiated = "2026-01-02T03:04:05.000Z"},
      {.key = "k", .upload_id = "later", .initiated = "2026-01-02T03:04:05.001Z"},
  };
  BOOST_TEST(ids_of(s3::uploads_started_before(listed, "k", "ours")) ==
                 (std::vector<std::string>{"same-second", "earlier"}),
             boost::test_tools::per_element());
  // Ours not listed (already gone, or another key): nothing to compare with, nothing chosen.
  BOOST_TEST(s3::uploads_started_before(listed, "k", "unknown").empty());
  BOOST_TEST(s3::uploads_started_before(listed, "k.bak", "ours").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
