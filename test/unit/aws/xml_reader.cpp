#include "aws/xml_reader.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(xml_reader)

namespace xml = evstore::aws::xml;

namespace {

const std::string list_document =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
    "  <Name>bucket</Name>\n"
    "  <Prefix></Prefix>\n"
    "  <KeyCount>2</KeyCount>\n"
    "  <IsTruncated>false</IsTruncated>\n"
    "  <Contents><Key>a b</Key><Size>3</Size></Contents>\n"
    "  <Contents><Key> c&amp;d </Key><Size>10</Size></Contents>\n"
    "</ListBucketResult>\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(aws_xml_reader)

BOOST_AUTO_TEST_CASE(reads_elements_text_and_repeated_children) {
  xml::element root = xml::parse(list_document);
  BOOST_TEST(root.name == "ListBucketResult");
  BOOST_TEST(root.text_or("Name") == "bucket");
  BOOST_TEST(root.text_or("Prefix", "absent") == "");
  BOOST_TEST(root.text_or("KeyCount") == "2");
  std::vector<const xml::element*> contents = root.all("Contents");
  BOOST_REQUIRE_EQUAL(contents.size(), 2u);
  BOOST_TEST(contents[0]->text_or("Key") == "a b");
  BOOST_TEST(contents[1]->text_or("Key") == " c&d ");  // not trimmed
  BOOST_TEST(contents[1]->text_or("Size") == "10");
  BOOST_TEST(root.find("Missing") == nullptr);
  BOOST_TEST(root.text_or("Missing", "fallback") == "fallback");
  BOOST_TEST(root.all("Missing").empty());
}

BOOST_AUTO_TEST_CASE(decodes_entities_and_character_references) {
  xml::element root =
      xml::parse("<k>&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#xe9;&#x20AC;&#128512;&#x9;</k>");
  BOOST_TEST(root.text == "&<>\"'AB\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\t");
}

BOOST_AUTO_TEST_CASE(keeps_raw_utf8_and_normalises_line_ends) {
  xml::element root = xml::parse("<k>caf\xC3\xA9 \xE6\x97\xA5\r\nx\ry\nz</k>");
  BOOST_TEST(root.text == "caf\xC3\xA9 \xE6\x97\xA5\nx\ny\nz");
}

BOOST_AUTO_TEST_CASE(accepts_comments_cdata_attributes_and_empty_elements) {
  xml::element root = xml::parse(
      "\xEF\xBB\xBF<?xml version='1.0'?><!-- before --><r a='1' b = \"&amp;2\">"
      "<e/><e x=\"y\" /><!-- inside --><t><![CDATA[<not & markup>]]></t></r ><!-- after -->\n");
  BOOST_TEST(root.name == "r");
  BOOST_TEST(root.all("e").size() == 2u);
  BOOST_TEST(root.text_or("e", "absent") == "");
  BOOST_TEST(root.text_or("t") == "<not & markup>");
}

BOOST_AUTO_TEST_CASE(accepts_nesting_up_to_the_limit) {
  std::string doc;
  for (std::size_t i = 0; i < xml::default_max_depth; ++i) doc += "<a>";
  doc += "deep";
  for (std::size_t i = 0; i < xml::default_max_depth; ++i) doc += "</a>";
  const xml::element root = xml::parse(doc);
  const xml::element* e = &root;
  std::size_t depth = 1;
  while (!e->children.empty()) {
    e = &e->children.front();
    ++depth;
  }
  BOOST_TEST(depth == xml::default_max_depth);
  BOOST_TEST(e->text == "deep");
}

BOOST_AUTO_TEST_CASE(a_caller_may_set_a_smaller_nesting_limit) {
  BOOST_CHECK_NO_THROW(xml::parse("<a><b><c/></b></a>", 3));
  try {
    xml::parse("<a><b><c><d/></c></b></a>", 3);
    BOOST_FAIL("expected an exception");
  } catch (const xml::malformed_xml_error& e) {
    BOOST_TEST(e.offset() == 9u);
    BOOST_TEST(e.reason() == "elements nested too deeply");
  }
}

BOOST_AUTO_TEST_CASE(rejects_malformed_documents_with_a_clear_error) {
  std::string too_deep;
  for (std::size_t i = 0; i <= xml::default_max_depth; ++i) too_deep += "<a>";
  const std::vector<std::string> documents = {
      "",
      "   ",
      "not xml",
      "<",
      "<a",
      "<a/",
      "<a>",
      "</a>",
      "<a></b>",
      "<a><b></a></b>",
      "<a>x</a><b/>",
      "<a>x</a>junk",
      "<a>&foo;</a>",
      "<a>& b</a>",
      "<a>&amp</a>",
      "<a>&#;</a>",
      "<a>&#x;</a>",
      "<a>&#xZZ;</a>",
      "<a>&#0;</a>",
      "<a>&#1;</a>",
      "<a>&#xD800;</a>",
      "<a>&#xFFFE;</a>",
      "<a>&#x110000;</a>",
      "<a>&#99999999999;</a>",
      "<a>\xFF</a>",
      "<a>\xC0\xAF</a>",
      "<a>\xE0\x80\xAF</a>",
      "<a>\xED\xA0\x80</a>",
      "<a>\xE2\x82</a>",
      "<a>\xE2\x82",
      "<a>\x01</a>",
      std::string("<a>\0</a>", 8),
      "<a b></a>",
      "<a b=c></a>",
      "<a b=\"<\"></a>",
      "<a b=\"x\"c=\"y\"/>",
      "<a b=\"x></a>",
      "<a b=\"&nope;\"/>",
      "<1a/>",
      "<a>]]></a>",
      "<a><![CDATA[x</a>",
      "<a><!-- x -- y --></a>",
      "<a><!-- x </a>",
      "<!DOCTYPE a [<!ENTITY e \"boom\">]><a>&e;</a>",
      "<?pi x?><a/>",
      "<a><?pi x?></a>",
      "<a><!ELEMENT a ANY></a>",
      "<?xml version='1.0'",
      "<?xml version='1.0'?>",
      too_deep,
  };
  for (const std::string& doc : documents) {
    BOOST_TEST_CONTEXT("document: " << doc) {
      try {
        xml::parse(doc);
        BOOST_ERROR("parsed a malformed document");
      } catch (const xml::malformed_xml_error& e) {
        BOOST_TEST(std::string(e.what()).find("at byte") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(error_names_the_offset) {
  try {
    xml::parse("<a><b>x</c></a>");
    BOOST_FAIL("expected an exception");
  } catch (const xml::malformed_xml_error& e) {
    BOOST_TEST(e.offset() == 10u);
    BOOST_TEST(e.reason().find("</c>") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("at byte 10") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(every_truncation_of_a_document_is_rejected) {
  const std::string doc = "<?xml version=\"1.0\"?><R><A>t&amp;x</A><B/><!--c--></R>";
  for (std::size_t length = 0; length < doc.size(); ++length) {
    BOOST_TEST_CONTEXT("prefix length " << length) {
      BOOST_CHECK_THROW(xml::parse(doc.substr(0, length)), xml::malformed_xml_error);
    }
  }
  BOOST_CHECK_NO_THROW(xml::parse(doc));
}

// Random single-byte damage must give a tree or a malformed_xml_error, never anything else
// (sanitizer builds turn memory errors into failures here).
BOOST_AUTO_TEST_CASE(random_damage_never_escapes_as_anything_but_malformed_xml_error) {
  std::mt19937 random(20261126);
  const std::string bytes = "<>/&;#x!-?[]\"'= a\xC3\xA9\xFF";
  std::size_t rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string doc = list_document;
    for (int damage = 0; damage < 3; ++damage) {
      std::size_t at = random() % doc.size();
      doc[at] = bytes[random() % bytes.size()];
    }
    try {
      xml::parse(doc);
    } catch (const xml::malformed_xml_error&) {
      ++rejected;
    }
  }
  BOOST_TEST(rejected > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
