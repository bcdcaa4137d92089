#include "evstore/http/endpoint.hpp"

#include <stdexcept>
#include <string>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(endpoint)

using evstore::http::endpoint;

BOOST_AUTO_TEST_SUITE(http_endpoint)

BOOST_AUTO_TEST_CASE(https_host_defaults_to_port_443_and_empty_path) {
  const endpoint e = endpoint::parse("https://dynamodb.eu-west-1.amazonaws.com");
  BOOST_TEST(e.tls);
  BOOST_TEST(e.host == "dynamodb.eu-west-1.amazonaws.com");
  BOOST_TEST(e.port == 443);
  BOOST_TEST(e.base_path == "");
  BOOST_TEST(e.authority() == "dynamodb.eu-west-1.amazonaws.com");
}

BOOST_AUTO_TEST_CASE(http_with_port_and_path) {
  const endpoint e = endpoint::parse("http://127.0.0.1:4566/prefix/more/");
  BOOST_TEST(!e.tls);
  BOOST_TEST(e.host == "127.0.0.1");
  BOOST_TEST(e.port == 4566);
  BOOST_TEST(e.base_path == "/prefix/more");
  BOOST_TEST(e.authority() == "127.0.0.1:4566");
}

BOOST_AUTO_TEST_CASE(root_path_is_empty_and_scheme_and_host_are_case_insensitive) {
  const endpoint e = endpoint::parse("HTTP://LocalHost/");
  BOOST_TEST(!e.tls);
  BOOST_TEST(e.host == "localhost");
  BOOST_TEST(e.port == 80);
  BOOST_TEST(e.base_path == "");
  BOOST_TEST(e.authority() == "localhost");
}

BOOST_AUTO_TEST_CASE(default_port_written_explicitly_is_left_out_of_authority) {
  BOOST_TEST(endpoint::parse("https://example.com:443").authority() == "example.com");
  BOOST_TEST(endpoint::parse("http://example.com:443").authority() == "example.com:443");
  BOOST_TEST(endpoint::parse("https://example.com:80").authority() == "example.com:80");
}

BOOST_AUTO_TEST_CASE(ipv6_literal_is_stored_without_brackets) {
  const endpoint e = endpoint::parse("http://[::1]:8000");
  BOOST_TEST(e.host == "::1");
  BOOST_TEST(e.port == 8000);
  BOOST_TEST(e.authority() == "[::1]:8000");
  const endpoint secure = endpoint::parse("https://[2001:db8::7]/base");
  BOOST_TEST(secure.host == "2001:db8::7");
  BOOST_TEST(secure.port == 443);
  BOOST_TEST(secure.base_path == "/base");
  BOOST_TEST(secure.authority() == "[2001:db8::7]");
}

BOOST_AUTO_TEST_CASE(highest_and_lowest_ports) {
  BOOST_TEST(endpoint::parse("http://h:1").port == 1);
  BOOST_TEST(endpoint::parse("http://h:65535").port == 65535);
}

BOOST_AUTO_TEST_CASE(bad_urls_are_rejected_with_the_url_in_the_message) {
  for (const char* url : {"",
                          "ftp://host",
                          "host:80",
                          "https://",
                          "https://:443",
                          "https://host:",
                          "https://host:0",
                          "https://host:65536",
                          "https://host:-1",
                          "https://host:8o",
                          "https://host:99999999999999999999",
                          "https://user@host",
                          "https://host?x=1",
                          "https://host/path#frag",
                          "https://[::1",
                          "https://[::1]x",
                          "https://[zz::1]",
                          "https://[fe80::1%25eth0]",
                          "https://ho st",
                          "https://host/pa th",
                          "http:/host"}) {
    BOOST_TEST_CONTEXT("url \"" << url << "\"") {
      try {
        endpoint::parse(url);
        BOOST_ERROR("accepted");
      } catch (const std::invalid_argument& e) {
        BOOST_TEST(std::string(e.what()).find("\"" + std::string(url) + "\"") != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
