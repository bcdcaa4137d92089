#include <boost/test/unit_test.hpp>

#include <chrono>
#include <random>
#include <string>

#include "dynamodb/crc32.hpp"
#include "dynamodb/protocol.hpp"
#include "recorded.hpp"

BOOST_AUTO_TEST_SUITE(crc32)

namespace ddb = evstore::dynamodb;

namespace {

// The bit-at-a-time definition, to check the sliced tables against.
std::uint32_t crc32_bitwise(std::string_view data) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char byte : data) {
    c ^= byte;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
  }
  return ~c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(check_values) {
  BOOST_TEST(ddb::crc32("") == 0u);
  BOOST_TEST(ddb::crc32("123456789") == 0xCBF43926u);  // the standard check value
  BOOST_TEST(ddb::crc32("The quick brown fox jumps over the lazy dog") == 0x414FA339u);
  BOOST_TEST(ddb::crc32(std::string(32, '\0')) == 0x190A55ADu);
}

BOOST_AUTO_TEST_CASE(matches_bitwise_definition_at_every_length_and_alignment) {
  std::mt19937 random(42);
  std::string data(300, '\0');
  for (auto& c : data) c = static_cast<char>(random());
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t length = 0; offset + length <= data.size(); length += 7) {
      const std::string_view part(data.data() + offset, length);
      BOOST_TEST(ddb::crc32(part) == crc32_bitwise(part),
                 "offset " << offset << " length " << length);
    }
  }
}

BOOST_AUTO_TEST_CASE(long_inputs_match_the_bitwise_definition) {
  // Past 64 bytes the CPU's carry-less multiplication folds the input where it has one.
  std::mt19937 random(7);
  std::string data(5000, '\0');
  for (auto& c : data) c = static_cast<char>(random());
  for (std::size_t offset = 0; offset < 4; ++offset) {
    for (std::size_t length : {63u, 64u, 65u, 79u, 80u, 127u, 128u, 129u, 191u, 200u, 255u, 256u,
                               1000u, 1024u, 4093u, 4990u}) {
      const std::string_view part(data.data() + offset, length);
      BOOST_TEST(ddb::crc32(part) == crc32_bitwise(part),
                 "offset " << offset << " length " << length);
    }
  }
  BOOST_TEST(ddb::crc32(std::string(1000, 'x')) == crc32_bitwise(std::string(1000, 'x')));
  // Continued from a previous piece: the register carries over.
  const std::string_view all(data);
  BOOST_TEST(ddb::crc32(all.substr(100), ddb::crc32(all.substr(0, 100))) == ddb::crc32(all));
}

BOOST_AUTO_TEST_CASE(continues_across_pieces) {
  const std::string text = "a body received in several pieces, of any sizes";
  for (std::size_t split = 0; split <= text.size(); ++split) {
    const std::string_view all(text);
    BOOST_TEST(ddb::crc32(all.substr(split), ddb::crc32(all.substr(0, split))) == ddb::crc32(all));
  }
}

BOOST_AUTO_TEST_CASE(recorded_responses_match_their_header) {
  for (const char* name : {"get_item", "query_page", "batch_get_item", "describe_table",
                           "transact_write_items", "get_item_missing"}) {
    const auto response = ddb::test::recorded_response(name);
    BOOST_TEST_REQUIRE(!response.header("x-amz-crc32").empty(), name);
    BOOST_TEST(ddb::crc32_matches(response), name);
    auto corrupted = response;
    corrupted.body.back() ^= 0x20;
    BOOST_TEST(!ddb::crc32_matches(corrupted), name);
    auto truncated = response;
    truncated.body.pop_back();
    BOOST_TEST(!ddb::crc32_matches(truncated), name);
  }
}

BOOST_AUTO_TEST_CASE(throughput) {
  // A figure for the report, not a pass/fail criterion.
  const std::string data(16 << 20, 'x');
  const auto start = std::chrono::steady_clock::now();
  std::uint32_t c = 0;
  for (int i = 0; i < 4; ++i) c = ddb::crc32(data, c);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  BOOST_TEST(c == crc32_bitwise(data + data + data + data));
  BOOST_TEST_MESSAGE("crc32: " << (64.0 / took.count()) << " MiB/s");
}

BOOST_AUTO_TEST_SUITE_END()
