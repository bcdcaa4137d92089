#include <boost/test/unit_test.hpp>

#include <limits>

#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/time.hpp"
#include "evstore/store/validation.hpp"

BOOST_AUTO_TEST_SUITE(validation)

namespace {

evstore::event valid_event() {
  evstore::event e;
  e.domain = "account";
  e.type = "opened";
  e.identifier = "a1";
  e.payload_json = R"({"x":1})";
  return e;
}

/// The message of the error prepare_events throws for a batch of `valid_event()` whose second
/// event is `bad`; empty when it accepts the batch.
std::string rejection(const evstore::event& bad) {
  std::vector<evstore::event> events{valid_event(), bad};
  try {
    evstore::prepare_events(events, evstore::now_ms());
  } catch (const boost::system::system_error& e) {
    BOOST_CHECK(e.code() == evstore::store_errc::invalid_event);
    BOOST_TEST(std::string(e.what()).find("event 2") != std::string::npos);
    return e.what();
  }
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_validation)

BOOST_AUTO_TEST_CASE(fills_missing_ids_and_times) {
  const auto now = evstore::parse_iso8601("2024-05-01T00:00:00.000Z");
  std::vector<evstore::event> events{valid_event(), valid_event(), valid_event()};
  events[1].id = "given";
  events[1].created = evstore::parse_iso8601("2023-01-01T00:00:00.000Z");
  const auto last = evstore::prepare_events(events, now);
  BOOST_TEST(events[0].id.size() == 36u);
  BOOST_TEST(events[2].id.size() == 36u);
  BOOST_TEST(events[0].id != events[2].id);
  BOOST_TEST((events[0].created == now));
  // Filled times increase, so the events replay in append order.
  BOOST_TEST(evstore::format_iso8601(*events[2].created) == "2024-05-01T00:00:00.001Z");
  BOOST_TEST((last == *events[2].created));
  BOOST_TEST(events[1].id == "given");
  BOOST_TEST(evstore::format_iso8601(*events[1].created) == "2023-01-01T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(rejects_each_kind_of_bad_event) {
  BOOST_TEST(rejection(valid_event()).empty());
  auto with = [](auto change) {
    evstore::event e = valid_event();
    change(e);
    return e;
  };
  BOOST_TEST(rejection(with([](auto& e) { e.domain.clear(); })).find("domain") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.type.clear(); })).find("type") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.domain = "a::b"; })).find("::") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.domain = "a:"; })).find("':'") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.id = "a\nb"; })).find("control") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.id = "HEAD::x"; })).find("HEAD") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.id = std::string(2041, 'x'); })).find("too long") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.id = std::string(2040, 'x'); })).empty());
  BOOST_TEST(rejection(with([](auto& e) {
               e.identifier = std::string(2100, 'i');
             })).find("stream key") != std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.type = "\xc3\x28"; })).find("UTF-8") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.type = "\xed\xa0\x80"; })).find("UTF-8") !=
             std::string::npos);  // a surrogate
  BOOST_TEST(rejection(with([](auto& e) { e.type = "caf\xc3\xa9 \xf0\x9f\x98\x80"; })).empty());
  BOOST_TEST(rejection(with([](auto& e) { e.causation_id = ""; })).find("causation") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.payload_json = "{x"; })).find("payload") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.payload_json = ""; })).find("payload") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.payload_json = "1 2"; })).find("payload") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) { e.meta_json = "[1]"; })).find("meta") !=
             std::string::npos);
  BOOST_TEST(rejection(with([](auto& e) {
               e.created = std::chrono::sys_days{std::chrono::year{10000} / 1 / 1};
             })).find("created") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rejects_an_id_given_twice) {
  std::vector<evstore::event> events{valid_event(), valid_event()};
  events[0].id = events[1].id = "same";
  BOOST_CHECK_THROW(evstore::prepare_events(events, evstore::now_ms()),
                    boost::system::system_error);
}

BOOST_AUTO_TEST_CASE(measures_the_offloaded_object_without_building_it) {
  evstore::event plain = valid_event();
  plain.id = "id-1";
  plain.created = evstore::parse_iso8601("2024-05-01T00:00:00.000Z");
  evstore::event rich = plain;
  rich.id = "quote\" back\\slash \x01 \xc3\xa9";
  rich.identifier.reset();
  rich.payload_json = "{\n  \"a\": [1,\r\n 2]\n}";
  rich.meta_json = R"({"who":"me"})";
  rich.correlation_id = "corr\t";
  rich.causation_id = "cause";
  for (evstore::event e : {plain, rich}) {
    const std::size_t measured = evstore::offloaded_object_size(e);
    e.sequence = std::numeric_limits<std::uint64_t>::max();
    BOOST_TEST(measured == evstore::to_json_line(e).size());
  }
}

// Reads of offloaded objects refuse those over 256 MiB, so append must refuse events whose
// object would be larger (it accepted payloads up to 5 TiB).
BOOST_AUTO_TEST_CASE(refuses_an_event_whose_offloaded_object_a_read_would_refuse) {
  evstore::event e = valid_event();
  e.id = "big";
  e.created = evstore::parse_iso8601("2024-05-01T00:00:00.000Z");
  e.payload_json = "\"\"";
  const std::size_t room = evstore::max_offloaded_object_bytes - evstore::offloaded_object_size(e);
  e.payload_json.reserve(evstore::max_offloaded_object_bytes);
  e.payload_json.insert(1, room, 'p');
  BOOST_TEST(evstore::offloaded_object_size(e) == evstore::max_offloaded_object_bytes);
  BOOST_CHECK_NO_THROW(evstore::validate_event(e, 0));
  e.payload_json.insert(1, 1, 'p');
  try {
    evstore::validate_event(e, 0);
    BOOST_FAIL("expected an event one byte over the limit to be refused");
  } catch (const boost::system::system_error& error) {
    BOOST_CHECK(error.code() == evstore::store_errc::invalid_event);
    BOOST_TEST(std::string(error.what()).find("256 MiB") != std::string::npos, error.what());
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
