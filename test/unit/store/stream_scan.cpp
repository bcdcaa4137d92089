// The pure parts of repo::scan_streams: the Scan request and the reading of head items.

#include "store/stream_scan.hpp"

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include "evstore/store/errors.hpp"

BOOST_AUTO_TEST_SUITE(stream_scan)

namespace ddb = evstore::dynamodb;

namespace {

ddb::item head(std::string id, std::string version) {
  return {{"id", ddb::attribute_value::string(std::move(id))},
          {"version", ddb::attribute_value::number(version)}};
}

std::string error_of(const ddb::item& item) {
  try {
    evstore::stream_summary_from_item(item);
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == evstore::store_errc::corrupt_item));
    return e.what();
  }
  return "no error";
}

}  // namespace

BOOST_AUTO_TEST_CASE(the_request_returns_only_heads_projected) {
  const ddb::scan_request first = evstore::stream_heads_request("t-schemeless-event-store", {});
  BOOST_TEST(first.table_name == "t-schemeless-event-store");
  BOOST_TEST(first.filter_expression.value() == "#created = :head AND begins_with(#id, :prefix)");
  BOOST_TEST(first.projection_expression.value() == "#id, #version");
  BOOST_TEST(first.names.at("#created") == "created");
  BOOST_TEST(first.values.at(":head").as_string() == "HEAD");
  BOOST_TEST(first.values.at(":prefix").as_string() == "EventID#HEAD::");
  BOOST_TEST(!first.exclusive_start_key.has_value());
  BOOST_TEST((first.return_consumed_capacity == ddb::return_consumed_capacity::total));
  // The body builds (names and values all used).
  BOOST_TEST(ddb::to_body(first).find("\"FilterExpression\"") != std::string::npos);

  const ddb::item key = {{"id", ddb::attribute_value::string("EventID#HEAD::a::1")},
                         {"created", ddb::attribute_value::string("HEAD")}};
  BOOST_TEST((evstore::stream_heads_request("t", key).exclusive_start_key.value() == key));
}

BOOST_AUTO_TEST_CASE(heads_name_their_stream) {
  auto order = evstore::stream_summary_from_item(head("EventID#HEAD::order::o-1", "3"));
  BOOST_TEST(order.domain == "order");
  BOOST_TEST(order.identifier == "o-1");
  BOOST_TEST(order.version == 3u);
  // The identifier may hold "::" (only domains may not), or be empty.
  auto nested = evstore::stream_summary_from_item(head("EventID#HEAD::a::b::c", "1"));
  BOOST_TEST(nested.domain == "a");
  BOOST_TEST(nested.identifier == "b::c");
  BOOST_TEST(
      evstore::stream_summary_from_item(head("EventID#HEAD::note::", "2")).identifier.empty());
}

BOOST_AUTO_TEST_CASE(items_not_as_the_layout_says_are_named) {
  BOOST_TEST(error_of({}).find("no string id") != std::string::npos);
  BOOST_TEST(error_of(head("EventID#e-1", "1")).find("'EventID#e-1' is not a stream head") !=
             std::string::npos);
  BOOST_TEST(error_of(head("EventID#HEAD::nodomain", "1")).find("domain::identifier") !=
             std::string::npos);
  BOOST_TEST(error_of(head("EventID#HEAD::::x", "1")).find("domain::identifier") !=
             std::string::npos);
  BOOST_TEST(error_of(head("EventID#HEAD::a::b", "-1")).find("EventID#HEAD::a::b") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
