#include <boost/test/unit_test.hpp>

#include <exception>
#include <stdexcept>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/dynamodb/error.hpp"
#include "evstore/store/atomic_append.hpp"
#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"

BOOST_AUTO_TEST_SUITE(diagnostics)

using boost::system::error_code;
using evstore::store_errc;

template <class Error>
std::exception_ptr failure_of(Error error) {
  return std::make_exception_ptr(std::move(error));
}

evstore::event stored_event(std::string id, std::uint64_t sequence) {
  evstore::event e;
  e.id = std::move(id);
  e.domain = "account";
  e.identifier = "1";
  e.type = "Opened";
  e.sequence = sequence;
  return e;
}

BOOST_AUTO_TEST_CASE(a_conflict_gives_its_code_stream_versions_and_outcome) {
  evstore::concurrency_error conflict("account", "1", 3, 5);
  conflict.set_outcome({stored_event("a", 1)}, {stored_event("a", 1), stored_event("b", 0)}, false);
  evstore::diagnostics diag;
  const error_code code = diag.record(failure_of(conflict));
  BOOST_TEST(code == error_code(store_errc::concurrency_conflict));
  BOOST_TEST(diag.stream_domain() == "account");
  BOOST_TEST(diag.stream_identifier() == "1");
  BOOST_TEST((diag.expected_version() == std::optional<std::uint64_t>(3)));
  BOOST_TEST((diag.actual_version() == std::optional<std::uint64_t>(5)));
  BOOST_TEST(diag.written_events().size() == 1u);
  BOOST_TEST(diag.resend_events().size() == 2u);
  BOOST_TEST(!diag.in_doubt());
  BOOST_TEST(diag.message() == std::string(conflict.what()));
  BOOST_TEST(diag.server_message().empty());
  BOOST_TEST(diag.conflicts().empty());
}

BOOST_AUTO_TEST_CASE(an_atomic_conflict_lists_every_stream) {
  evstore::stream_conflict first{"account", "1", false, evstore::stream_expectation::none(), 2};
  evstore::stream_conflict second{"account", "2", true, evstore::stream_expectation::exactly(4), 0};
  evstore::diagnostics diag;
  const error_code code = diag.record(failure_of(evstore::atomic_conflict_error({first, second})));
  BOOST_TEST(code == error_code(store_errc::concurrency_conflict));
  BOOST_TEST_REQUIRE(diag.conflicts().size() == 2u);
  BOOST_TEST(diag.conflicts()[1].identifier == "2");
  BOOST_TEST(diag.conflicts()[1].check_only);
  BOOST_TEST(diag.stream_identifier() == "1");
  BOOST_TEST((diag.actual_version() == std::optional<std::uint64_t>(2)));
}

BOOST_AUTO_TEST_CASE(a_duplicate_gives_the_id) {
  evstore::diagnostics diag;
  const error_code code = diag.record(failure_of(evstore::duplicate_event_error("dup-1")));
  BOOST_TEST(code == error_code(store_errc::duplicate_event));
  BOOST_TEST(diag.duplicate_event_id() == "dup-1");
  BOOST_TEST(!diag.expected_version().has_value());
}

BOOST_AUTO_TEST_CASE(a_nested_service_error_gives_the_servers_message) {
  std::exception_ptr failure;
  try {
    try {
      throw evstore::dynamodb::service_error("ValidationException", "One or more values invalid",
                                             400, "req-1");
    } catch (const evstore::dynamodb::service_error& cause) {
      evstore::append_error outcome(cause.code(), "appending failed");
      outcome.set_outcome({}, {stored_event("a", 0)}, true);
      std::throw_with_nested(outcome);
    }
  } catch (...) {
    failure = std::current_exception();
  }
  evstore::diagnostics diag;
  const error_code code = diag.record(failure);
  BOOST_TEST(code == error_code(evstore::dynamodb::errc::validation_error));
  BOOST_TEST(diag.server_message() == "One or more values invalid");
  BOOST_TEST(diag.in_doubt());
  BOOST_TEST(diag.resend_events().size() == 1u);
}

BOOST_AUTO_TEST_CASE(other_failures_give_their_code_and_message_and_clear_resets) {
  evstore::diagnostics diag;
  BOOST_TEST(diag.record(failure_of(boost::system::system_error(
                 make_error_code(store_errc::cursor_not_found), "no event 'x'"))) ==
             error_code(store_errc::cursor_not_found));
  BOOST_TEST(diag.message().find("no event 'x'") != std::string::npos);
  BOOST_TEST(diag.record(failure_of(std::invalid_argument("bad shards"))) ==
             error_code(boost::system::errc::invalid_argument, boost::system::generic_category()));
  BOOST_TEST(diag.message() == "bad shards");
  BOOST_TEST(
      diag.record(failure_of(boost::system::system_error(boost::asio::error::operation_aborted))) ==
      error_code(boost::asio::error::operation_aborted));
  diag.clear();
  BOOST_TEST(diag.message().empty());
}

BOOST_AUTO_TEST_SUITE_END()
