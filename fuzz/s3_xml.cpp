// Fuzzes the S3 XML reader and everything that reads an S3 XML body: the error parser
// (<Error>, also inside a 200 CompleteMultipartUpload) and the ListObjectsV2, DeleteObjects,
// CreateMultipartUpload and CompleteMultipartUpload result parsers. Seeds: the bodies of the
// recorded responses in test/data/s3.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "evstore/http/message.hpp"
#include "evstore/s3/error.hpp"
#include "fuzz_support.hpp"
#include "s3/response_parser.hpp"
#include "s3/xml_reader.hpp"

namespace s3 = evstore::s3;
using evstore::fuzz::accepts;
using evstore::fuzz::fail;

namespace {

std::size_t depth(const s3::xml::element& element) {
  std::size_t deepest = 0;
  for (const s3::xml::element& child : element.children) {
    const std::size_t d = depth(child);
    if (d > deepest) deepest = d;
  }
  return deepest + 1;
}

void fuzz_reader(std::string_view document) {
  s3::xml::element root;
  if (!accepts(s3::error_category(), [&] { root = s3::xml::parse(document); })) return;
  if (root.name.empty()) fail("an element without a name");
  if (depth(root) > s3::xml::max_depth) fail("nesting deeper than max_depth accepted");
}

void fuzz_error_parser(std::string_view body) {
  evstore::http::response response;
  response.status = 403;
  response.headers = {{"x-amz-request-id", "FUZZREQUESTID"}};
  response.body = std::string(body);
  // Documented never to throw on a malformed body; the code is never empty.
  const s3::error_details details = s3::parse_error_response(response);
  if (details.code.empty()) fail("an S3 error without a code");
  if (s3::error_code_of(response) != details.code) fail("error_code_of disagrees");
  try {
    s3::throw_service_error("FuzzOperation", response);
  } catch (const s3::service_error& error) {
    if (error.s3_code() != details.code) fail("service_error carries another code");
  }
}

void fuzz_result_parsers(std::string_view body) {
  evstore::http::response response;
  response.status = 200;
  response.body = std::string(body);
  const auto& category = s3::error_category();
  accepts(category, [&] { s3::parse_list_objects_v2(response); });
  accepts(category, [&] { s3::parse_delete_objects(response); });
  accepts(category, [&] { s3::parse_create_multipart_upload(response); });
  accepts(category, [&] {
    try {
      s3::parse_complete_multipart_upload(response);
    } catch (const s3::service_error& error) {
      if (error.s3_code().empty()) fail("CompleteMultipartUpload error without a code");
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body = evstore::fuzz::as_text(data, size);
  fuzz_reader(body);
  fuzz_error_parser(body);
  fuzz_result_parsers(body);
  return 0;
}
