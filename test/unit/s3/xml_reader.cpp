// The S3 face of the aws::xml reader: S3 error codes and messages, the S3 nesting limit and
// required elements. The reader itself is tested in test/unit/aws/xml_reader.cpp.

#include "s3/xml_reader.hpp"

#include <string>

#include <boost/test/unit_test.hpp>

#include "evstore/s3/error.hpp"

BOOST_AUTO_TEST_SUITE(xml_reader)

namespace xml = evstore::s3::xml;
using evstore::s3::errc;

namespace {

bool is_malformed(const boost::system::system_error& e) {
  return e.code() == evstore::s3::make_error_code(errc::malformed_xml);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_xml_reader)

BOOST_AUTO_TEST_CASE(required_text_gives_the_text_of_the_first_child_named) {
  const xml::element root = xml::parse("<R><A>one</A><A>two</A><E/></R>");
  BOOST_TEST(xml::required_text(root, "A") == "one");
  BOOST_TEST(xml::required_text(root, "E") == "");
}

BOOST_AUTO_TEST_CASE(missing_required_element_names_it) {
  xml::element root = xml::parse("<Error><Code>X</Code></Error>");
  try {
    (void)xml::required_text(root, "Message");
    BOOST_FAIL("expected an exception");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == evstore::s3::make_error_code(errc::unexpected_response));
    BOOST_TEST(std::string(e.what()).find("<Message>") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("<Error>") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(malformed_documents_are_malformed_xml_naming_the_offset) {
  try {
    xml::parse("<a><b>x</c></a>");
    BOOST_FAIL("expected an exception");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(is_malformed(e));
    const std::string what = e.what();
    BOOST_TEST(what.starts_with("S3 response XML is malformed at byte 10: "));
    BOOST_TEST(what.find("</c>") != std::string::npos);
  }
  for (const char* doc : {"", "<a>", "<!DOCTYPE a><a/>", "<a>\xFF</a>"}) {
    BOOST_TEST_CONTEXT("document: " << doc) {
      BOOST_CHECK_EXCEPTION(xml::parse(doc), boost::system::system_error, is_malformed);
    }
  }
}

BOOST_AUTO_TEST_CASE(nesting_is_limited_to_max_depth) {
  std::string doc;
  for (std::size_t i = 0; i < xml::max_depth; ++i) doc += "<a>";
  for (std::size_t i = 0; i < xml::max_depth; ++i) doc += "</a>";
  BOOST_CHECK_NO_THROW(xml::parse(doc));
  BOOST_CHECK_EXCEPTION(xml::parse("<a>" + doc + "</a>"), boost::system::system_error,
                        is_malformed);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
