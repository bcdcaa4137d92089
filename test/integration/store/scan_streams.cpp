// repo::scan_streams on DynamoDB Local: every stream with its version, page by page, over a
// table holding events, snapshots and the metadata item beside the heads; the Scan's requests
// are counted in repo::metrics().

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/system_error.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/store/errors.hpp"
#include "store_fixture.hpp"

BOOST_AUTO_TEST_SUITE(scan_streams)

using namespace evstore;
using evstore::test::make_event;
using evstore::test::store_fixture;

namespace {

/// domain::identifier -> version, from every page, checking that no stream comes twice.
struct stream_collector {
  std::map<std::string, std::uint64_t> versions;
  std::size_t pages = 0;
  bool repeated = false;

  std::function<void(const std::vector<stream_summary>&)> on_page() {
    return [this](const std::vector<stream_summary>& streams) {
      ++pages;
      for (const stream_summary& s : streams) {
        repeated |= !versions.emplace(s.domain + "::" + s.identifier, s.version).second;
      }
    };
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_stream_comes_once_with_its_version) {
  store_fixture f("scan-streams");
  f.run(f.store.init());
  // An empty table: one page, no stream, but the Scan ran.
  stream_collector empty;
  const stream_scan_totals nothing = f.run(f.store.scan_streams(empty.on_page()));
  BOOST_TEST(empty.versions.empty());
  BOOST_TEST(empty.pages >= 1u);
  BOOST_TEST(nothing.items_read <= 1u);  // at most the metadata item

  event note = make_event("note", "", "written");
  note.identifier.reset();  // a stream without identifier
  f.run(f.store.append({make_event("order", "o-1", "placed"), make_event("order", "o-1", "paid"),
                        make_event("order", "o-2", "placed"), std::move(note)}));
  f.run(f.store.append({make_event("order", "o-1", "shipped")}));
  f.run(f.store.append({make_event("order", "a::b", "placed")}));  // "::" in the identifier
  snapshot state;
  state.domain = "order";
  state.identifier = "o-1";
  state.sequence = 3;
  state.state_json = "{}";
  f.run(f.store.save_snapshot(std::move(state)));

  const std::uint64_t requests_before = f.store.metrics().dynamodb.requests;
  stream_collector found;
  const stream_scan_totals totals = f.run(f.store.scan_streams(found.on_page()));
  BOOST_TEST(!found.repeated);
  const std::map<std::string, std::uint64_t> expected{
      {"order::o-1", 3}, {"order::o-2", 1}, {"note::", 1}, {"order::a::b", 1}};
  BOOST_TEST((found.versions == expected));
  // Heads, events, the snapshot (and the metadata item) are all read by the Scan.
  BOOST_TEST(totals.items_read >= 4u + 6u + 1u);
  BOOST_TEST(totals.capacity_units > 0.0);
  BOOST_TEST(f.store.metrics().dynamodb.requests >= requests_before + found.pages);
}

BOOST_AUTO_TEST_CASE(a_corrupt_head_is_named) {
  store_fixture f("scan-streams-corrupt");
  f.run(f.store.init());
  f.run(f.store.append({make_event("order", "o-1", "placed")}));
  // A head whose version is not a number of the layout.
  dynamodb::put_item_request corrupt;
  corrupt.table_name = f.store.table_name();
  corrupt.item = {{"id", dynamodb::attribute_value::string("EventID#HEAD::order::o-9")},
                  {"created", dynamodb::attribute_value::string("HEAD")},
                  {"version", dynamodb::attribute_value::string("three")}};
  f.run(f.ddb.put_item(corrupt));
  stream_collector found;
  try {
    f.run(f.store.scan_streams(found.on_page()));
    BOOST_FAIL("a corrupt head was not reported");
  } catch (const boost::system::system_error& e) {
    BOOST_TEST((e.code() == store_errc::corrupt_item));
    BOOST_TEST(std::string(e.what()).find("EventID#HEAD::order::o-9") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()
