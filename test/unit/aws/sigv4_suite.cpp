// Every case of the AWS SigV4 test suite (test/data/sigv4): canonical request, string to sign
// and Authorization header, each compared with the published files. The suite's credentials
// are published examples, so printing them on failure is fine.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "aws/crypto.hpp"
#include "aws/sigv4_canonical.hpp"
#include "evstore/aws/sigv4.hpp"

BOOST_AUTO_TEST_SUITE(sigv4_suite)

namespace aws = evstore::aws;
namespace http = evstore::http;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  BOOST_TEST_REQUIRE(in.good(), "cannot open " << path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Parses a suite `.req`: request line, headers, a blank line, then the body. A line starting
/// with whitespace continues the previous header; the suite's canonical form treats each such
/// line as one more value of that header (get-header-value-multiline), so it becomes a repeated
/// header here.
http::request parse_req(const std::string& text) {
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  for (;;) {
    const std::size_t newline = rest.find('\n');
    lines.push_back(rest.substr(0, newline));
    if (newline == std::string_view::npos) break;
    rest.remove_prefix(newline + 1);
  }
  http::request req;
  const std::string_view request_line = lines.at(0);
  const std::size_t method_end = request_line.find(' ');
  const std::size_t version_start = request_line.rfind(" HTTP/");
  BOOST_TEST_REQUIRE((method_end != std::string_view::npos && version_start > method_end));
  req.method = request_line.substr(0, method_end);
  req.target = request_line.substr(method_end + 1, version_start - method_end - 1);
  std::size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    const std::string_view line = lines[i];
    if (line.front() == ' ' || line.front() == '\t') {
      BOOST_TEST_REQUIRE(!req.headers.empty());
      req.headers.push_back({req.headers.back().name, std::string(line)});
      continue;
    }
    const std::size_t colon = line.find(':');
    BOOST_TEST_REQUIRE(colon != std::string_view::npos);
    req.headers.push_back(
        {std::string(line.substr(0, colon)), std::string(line.substr(colon + 1))});
  }
  for (std::size_t body_line = i + 1; body_line < lines.size(); ++body_line) {
    if (body_line != i + 1) req.body += '\n';
    req.body += lines[body_line];
  }
  return req;
}

std::string sha256_hex(std::string_view data) {
  aws::detail::sha256_hasher hasher;
  std::string hex;
  aws::detail::append_hex(hex, hasher.digest(data));
  return hex;
}

std::chrono::system_clock::time_point suite_time() {
  using namespace std::chrono;
  return sys_days{year{2015} / August / 30} + hours{12} + minutes{36};
}

std::vector<fs::path> suite_cases() {
  std::vector<fs::path> cases;
  for (const auto& entry : fs::recursive_directory_iterator(EVSTORE_TEST_DATA_DIR "/sigv4")) {
    if (entry.path().extension() == ".req") cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

}  // namespace

BOOST_AUTO_TEST_CASE(suite_has_every_case) {
  // The classic suite has 31 requests; fewer means the data copy is incomplete.
  BOOST_TEST(suite_cases().size() == 31u);
}

BOOST_AUTO_TEST_CASE(every_suite_case_matches) {
  aws::detail::canonical_request_builder builder;
  aws::sigv4_signer signer("us-east-1", "service");
  for (const fs::path& req_path : suite_cases()) {
    const std::string name = req_path.stem().string();
    BOOST_TEST_CONTEXT("case " << name) {
      const fs::path stem = req_path.parent_path() / name;
      const http::request req = parse_req(read_file(req_path));

      const std::string_view canonical = builder.build(req, sha256_hex(req.body), false);
      BOOST_TEST(canonical == read_file(stem.string() + ".creq"));

      std::string string_to_sign;
      aws::detail::append_string_to_sign(string_to_sign, "20150830T123600Z",
                                         "20150830/us-east-1/service/aws4_request",
                                         sha256_hex(canonical));
      BOOST_TEST(string_to_sign == read_file(stem.string() + ".sts"));

      // A request that carries a session token was signed with it (post-sts-header-before).
      const aws::credentials creds{
          "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
          std::string(http::find_header(req.headers, "x-amz-security-token")), std::nullopt};
      http::request signed_req = req;
      signer.sign(signed_req, "example.amazonaws.com", creds, suite_time());
      BOOST_TEST(http::find_header(signed_req.headers, "authorization") ==
                 read_file(stem.string() + ".authz"));
      const auto authorizations =
          std::count_if(signed_req.headers.begin(), signed_req.headers.end(),
                        [](const http::header& h) { return h.name == "Authorization"; });
      BOOST_TEST(authorizations == 1);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
