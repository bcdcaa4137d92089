#pragma once
// Loads a raw HTTP response recorded by test/data/s3/record.js (status line, headers, blank
// line, body) into an http::response.

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "evstore/http/message.hpp"

namespace evstore::s3::test {

inline http::response parse_recorded(const std::string& raw) {
  std::size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) throw std::runtime_error("recording has no header end");
  http::response response;
  response.body = raw.substr(head_end + 4);
  std::istringstream head(raw.substr(0, head_end));
  std::string line;
  std::getline(head, line);
  if (!line.starts_with("HTTP/1.1 ")) throw std::runtime_error("recording has no status line");
  response.status = static_cast<unsigned>(std::stoul(line.substr(9, 3)));
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t colon = line.find(": ");
    if (colon == std::string::npos) throw std::runtime_error("bad recorded header: " + line);
    response.headers.push_back({line.substr(0, colon), line.substr(colon + 2)});
  }
  return response;
}

/// `name` relative to test/data/s3, e.g. "fauxqs/head_object".
inline http::response recorded(const std::string& name) {
  std::ifstream file(EVSTORE_TEST_DATA_DIR "/s3/" + name + ".http", std::ios::binary);
  if (!file) throw std::runtime_error("missing recording " + name);
  std::ostringstream raw;
  raw << file.rdbuf();
  return parse_recorded(raw.str());
}

}  // namespace evstore::s3::test
