#pragma once
// Bodies recorded from DynamoDB Local by test/data/dynamodb/record.sh.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/dynamodb/error.hpp"
#include "evstore/http/message.hpp"

namespace evstore::dynamodb::test {

inline std::string read_data_file(const std::string& name) {
  const std::string path = EVSTORE_TEST_DATA_DIR "/dynamodb/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open test data file " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

/// NAME.request.json: the body sent to DynamoDB Local, parsed.
inline boost::json::value recorded_request(const std::string& name) {
  return boost::json::parse(read_data_file(name + ".request.json"));
}

/// NAME.response.json: the body DynamoDB Local answered.
inline std::string recorded_body(const std::string& name) {
  return read_data_file(name + ".response.json");
}

/// The recorded response: status, x-amz-crc32 header (when sent) and body.
inline http::response recorded_response(const std::string& name) {
  http::response response;
  response.body = recorded_body(name);
  std::istringstream headers(read_data_file(name + ".headers"));
  std::string line;
  std::getline(headers, line);  // "HTTP/1.1 200 OK"
  response.status = static_cast<unsigned>(std::stoul(line.substr(line.find(' ') + 1, 3)));
  while (std::getline(headers, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    response.headers.push_back({line.substr(0, colon), line.substr(colon + 2)});
  }
  return response;
}

/// Runs fn, which must throw system_error with `expected` and a message containing `fragment`.
template <class Fn>
void check_error(Fn fn, errc expected, std::string_view fragment) {
  try {
    fn();
    BOOST_FAIL("no error thrown; expected " << make_error_code(expected).message());
  } catch (const boost::system::system_error& e) {
    BOOST_TEST(e.code() == make_error_code(expected), e.what());
    BOOST_TEST(std::string_view(e.what()).find(fragment) != std::string_view::npos, e.what());
  }
}

}  // namespace evstore::dynamodb::test
