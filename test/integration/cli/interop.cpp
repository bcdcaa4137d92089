// Interoperability with the published TypeScript adapter (@schemeless/event-store-adapter-dynamodb
// 5.0.0, driven by node/interop/adapter.js) on one table: what one writes, the other reads
// identically, and both append to one stream in turn. Needs scripts/emulators running.

#include <boost/json/object.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "integration/cli/cli_fixture.hpp"

BOOST_AUTO_TEST_SUITE(interop)

namespace json = boost::json;
using evstore::test::check_same_events;
using evstore::test::to_json_lines;

namespace {

/// Builds events in the shared JSON shape with distinct, ascending created times that span
/// January to April 2024, so replay crosses several monthly buckets.
class event_maker {
 public:
  json::object make(const std::string& domain, std::optional<std::string> identifier,
                    const std::string& type, json::value payload) {
    using namespace std::chrono_literals;
    ++count_;
    json::object e;
    e["id"] = "interop-" + std::to_string(count_) + "-" + domain;
    e["domain"] = domain;
    e["type"] = type;
    if (identifier) e["identifier"] = *identifier;
    e["payload"] = std::move(payload);
    e["created"] = evstore::format_iso8601(base_ + count_ * 61h + count_ * 7ms);
    return e;
  }

 private:
  evstore::timestamp base_ = evstore::parse_iso8601("2024-01-02T03:04:05.678Z");
  int count_ = 0;
};

std::string lines_of(const std::vector<json::object>& events) {
  std::vector<json::value> values(events.begin(), events.end());
  return to_json_lines(values);
}

/// The events as a reader returns them: with their sequence, in replay order (created order,
/// since all created times are distinct).
std::vector<json::value> as_replayed(std::vector<std::pair<json::object, int>> events) {
  std::vector<json::value> out;
  for (auto& [e, sequence] : events) {
    e["sequence"] = sequence;
    out.emplace_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const json::value& a, const json::value& b) {
    return a.at("created").as_string() < b.at("created").as_string();
  });
  return out;
}

/// A payload of ~380 KB: more than a DynamoDB item takes, so both stores offload it to S3.
json::value large_payload(char fill) {
  return json::object{{"document", std::string(380'000, fill)}, {"pages", 120}};
}

json::object meta() {
  return json::object{{"user", "u-1"},
                      {"tags", json::array{"a", "b"}},
                      {"attempt", 2},
                      {"trace", json::object{{"sampled", true}}}};
}

/// A 40-event stream, too long for one first append by the adapter.
std::vector<json::object> long_stream(event_maker& maker, const std::string& identifier) {
  std::vector<json::object> events;
  for (int i = 0; i < 40; ++i) {
    events.push_back(maker.make("ledger", identifier, "posted", json::object{{"line", i}}));
  }
  return events;
}

/// The library on the fixture's table and bucket, for the operations the tool may not offer.
class library {
 public:
  explicit library(evstore::test::cli_fixture& fixture)
      : repo_(io_.get_executor(), config(), options(fixture)) {}

  evstore::repo& repo() { return repo_; }

  /// Runs `task` until it finishes, failing after a minute (keep-alive connections keep `io_`
  /// busy, so it is not run until it runs out of work).
  template <class T>
  T run(boost::asio::awaitable<T> task) {
    std::future<T> result = boost::asio::co_spawn(io_, std::move(task), boost::asio::use_future);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    io_.restart();
    while (result.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) throw std::runtime_error("library call took longer than a minute");
      io_.run_one_for(deadline - now);
    }
    return result.get();
  }

 private:
  static evstore::aws::config config() {
    evstore::aws::config config;
    config.region = "us-east-1";
    config.static_credentials = evstore::aws::credentials{"local", "local", "", std::nullopt};
    config.static_credentials_origin = "test";
    config.service_endpoint_urls["dynamodb"] = evstore::test::dynamodb_url();
    config.service_endpoint_urls["s3"] = evstore::test::s3_url();
    return config;
  }
  static evstore::repo_options options(evstore::test::cli_fixture& fixture) {
    evstore::repo_options options;
    options.table_name_prefix = fixture.prefix();
    options.s3_bucket_name = fixture.environment().at("EVSTORE_S3_BUCKET");
    return options;
  }

  boost::asio::io_context io_;
  evstore::repo repo_;
};

/// The stream as evstore reads it through the stream index, in the shared JSON shape.
std::vector<json::value> stream_read(library& lib, const std::string& domain,
                                     const std::string& identifier) {
  evstore::stream_read_options read;
  read.max_index_wait = std::chrono::milliseconds{200};
  std::vector<json::value> out;
  for (const evstore::event& e : lib.run(lib.repo().stream_events(domain, identifier, read))) {
    json::object o;
    o["id"] = e.id;
    o["domain"] = e.domain;
    o["type"] = e.type;
    if (e.identifier) o["identifier"] = *e.identifier;
    o["payload"] = e.payload();
    o["created"] = evstore::format_iso8601(*e.created);
    o["sequence"] = e.sequence;
    out.emplace_back(std::move(o));
  }
  return out;
}

/// The events as a stream read returns them: with their sequence, in sequence order.
std::vector<json::value> as_stream(const std::vector<std::pair<json::object, int>>& events) {
  std::vector<json::value> out;
  for (const auto& [e, sequence] : events) {
    json::object with_sequence = e;
    with_sequence["sequence"] = sequence;
    out.emplace_back(std::move(with_sequence));
  }
  return out;
}

/// The events without `sequence`: the adapter reads an offloaded event from its S3 object,
/// which it writes before the sequence is known.
std::vector<json::value> without_sequences(std::vector<json::value> events) {
  for (json::value& e : events) e.as_object().erase("sequence");
  return events;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(cli_interop, evstore::test::cli_fixture)

BOOST_AUTO_TEST_CASE(migrate_makes_the_adapter_s_streams_readable_and_the_adapter_keeps_working) {
  event_maker maker;
  std::vector<json::object> ledger;
  for (int i = 0; i < 6; ++i)
    ledger.push_back(maker.make("ledger", "mig-1", "posted", json::object{{"line", i}}));
  auto offloaded = maker.make("ledger", "mig-1", "attached", large_payload('m'));
  auto first = adapter({"store"}, lines_of({ledger.begin(), ledger.begin() + 4}));
  BOOST_TEST_REQUIRE(first.status == 0, first.err);
  auto second = adapter({"store", "--expected-sequence", "4"}, lines_of({ledger[4], offloaded}));
  BOOST_TEST_REQUIRE(second.status == 0, second.err);

  library lib(*this);
  lib.run(lib.repo().init());  // adds the stream index to the adapter's table
  BOOST_CHECK_THROW(stream_read(lib, "ledger", "mig-1"), boost::system::system_error);
  evstore::migrate_options options;
  const evstore::migrate_progress migrated = lib.run(lib.repo().migrate(options));
  BOOST_TEST(migrated.items_updated == 6u);

  std::vector<std::pair<json::object, int>> written;
  for (int i = 0; i < 5; ++i) written.emplace_back(ledger[static_cast<std::size_t>(i)], i + 1);
  written.emplace_back(offloaded, 6);
  check_same_events(stream_read(lib, "ledger", "mig-1"), as_stream(written));

  // The adapter keeps appending to and reading the table with the new index on it; its new
  // events are invisible to the index until migrate runs again.
  auto more = adapter({"store", "--expected-sequence", "6"}, lines_of({ledger[5]}));
  BOOST_TEST_REQUIRE(more.status == 0, more.err);
  written.emplace_back(ledger[5], 7);
  check_same_events(without_sequences(adapter_replay()), without_sequences(as_replayed(written)));
  BOOST_CHECK_THROW(stream_read(lib, "ledger", "mig-1"), boost::system::system_error);
  BOOST_TEST(lib.run(lib.repo().migrate(options)).items_updated == 1u);
  check_same_events(stream_read(lib, "ledger", "mig-1"), as_stream(written));

  // evstore appends after migration; the adapter reads them and continues the stream.
  auto evstore_event = maker.make("ledger", "mig-1", "closed", json::object{});
  auto appended = evstore({"append", "--expected-sequence", "7"}, lines_of({evstore_event}));
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
  written.emplace_back(evstore_event, 8);
  check_same_events(without_sequences(adapter_replay()), without_sequences(as_replayed(written)));
  check_same_events(stream_read(lib, "ledger", "mig-1"), as_stream(written));
  auto sequence = adapter({"sequence", "ledger", "mig-1"});
  BOOST_TEST(sequence.out == "8\n");
}

BOOST_AUTO_TEST_CASE(evstore_reads_what_the_adapter_wrote) {
  event_maker maker;
  std::vector<json::object> account;
  for (const char* type : {"opened", "deposited", "withdrawn"}) {
    account.push_back(maker.make("account", "acc-1", type, json::object{{"amount", 10}}));
  }
  account[0]["meta"] = meta();
  account[0]["correlationId"] = "corr-1";
  account[1]["causationId"] = account[0]["id"];
  account[2]["causationId"] = account[0]["id"];
  auto no_identifier = maker.make("system", std::nullopt, "started", json::array{1, "two", 3.5});
  auto offloaded = maker.make("document", "doc-1", "uploaded", large_payload('x'));
  auto ledger = long_stream(maker, "ledger-1");

  // The adapter creates the table itself on its first write.
  auto first =
      adapter({"store"}, lines_of({account[0], account[1], account[2], no_identifier, offloaded}));
  BOOST_TEST_REQUIRE(first.status == 0, first.err);
  // It cannot start a stream with more than 25 events in one call (its first chunk of 25 expects
  // version 0, which a missing head item never has): nothing is written...
  auto at_once = adapter({"store"}, lines_of(ledger));
  BOOST_TEST(at_once.status == 3, at_once.err);
  // ...so it writes 25, then 15.
  auto head = adapter({"store"}, lines_of({ledger.begin(), ledger.begin() + 25}));
  BOOST_TEST_REQUIRE(head.status == 0, head.err);
  auto tail = adapter({"store", "--expected-sequence", "25"},
                      lines_of({ledger.begin() + 25, ledger.end()}));
  BOOST_TEST_REQUIRE(tail.status == 0, tail.err);

  std::vector<std::pair<json::object, int>> written{
      {account[0], 1}, {account[1], 2}, {account[2], 3}, {no_identifier, 1}, {offloaded, 1}};
  for (int i = 0; i < 40; ++i) written.emplace_back(ledger[static_cast<std::size_t>(i)], i + 1);
  const auto expected = as_replayed(written);

  // init on the adapter's table changes nothing.
  auto init = evstore({"init"});
  BOOST_TEST_REQUIRE(init.status == 0, init.err);
  check_same_events(evstore_replay(), expected);
  check_same_events(evstore_replay("7"), expected);

  auto got = evstore({"get", std::string(offloaded["id"].as_string())});
  BOOST_TEST_REQUIRE(got.status == 0, got.err);
  json::object offloaded_read = offloaded;
  offloaded_read["sequence"] = 1;
  check_same_events(evstore::test::parse_json_lines(got.out), {offloaded_read});

  auto caused = evstore({"caused-by", std::string(account[0]["id"].as_string())});
  BOOST_TEST_REQUIRE(caused.status == 0, caused.err);
  json::object second = account[1], third = account[2];
  second["sequence"] = 2;
  third["sequence"] = 3;
  check_same_events(evstore::test::parse_json_lines(caused.out), {second, third});
}

BOOST_AUTO_TEST_CASE(one_evstore_append_before_migrate_hides_none_of_the_adapter_s_months) {
  // 30 events over three months (January to March 2024) in three streams of 10.
  event_maker maker;
  std::vector<json::object> events;
  for (int i = 0; i < 30; ++i) {
    events.push_back(
        maker.make("ledger", "acc-" + std::to_string(i % 3), "posted", json::object{{"line", i}}));
  }
  for (int stream = 0; stream < 3; ++stream) {
    std::vector<json::object> calls;
    for (int i = stream; i < 30; i += 3) calls.push_back(events[static_cast<std::size_t>(i)]);
    auto stored = adapter({"store"}, lines_of(calls));
    BOOST_TEST_REQUIRE(stored.status == 0, stored.err);
  }
  std::vector<std::pair<json::object, int>> written;
  for (int i = 0; i < 30; ++i) written.emplace_back(events[static_cast<std::size_t>(i)], i / 3 + 1);

  // One evstore append, dated now, before any init or migrate: it creates the metadata item
  // with only its own month.
  json::object late = maker.make("ledger", std::string("acc-new"), "opened", json::object{});
  late["created"] = evstore::format_iso8601(evstore::now_ms());
  auto appended = evstore({"append"}, lines_of({late}));
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);
  written.emplace_back(late, 1);

  const auto expected = as_replayed(written);
  check_same_events(evstore_replay(), expected);
  check_same_events(without_sequences(adapter_replay()), without_sequences(expected));

  // migrate records the exact range; replay reads the same.
  auto migrated = evstore({"migrate"});
  BOOST_TEST_REQUIRE(migrated.status == 0, migrated.err);
  check_same_events(evstore_replay(), expected);
  auto stats = evstore({"stats", "--json"});
  BOOST_TEST_REQUIRE(stats.status == 0, stats.err);
  const auto documents = evstore::test::parse_json_lines(stats.out);
  BOOST_TEST_REQUIRE(documents.size() == 1u);
  const json::value& document = documents.front();
  BOOST_TEST(document.at("months").at("first").as_string() == "2024-01");
  BOOST_TEST(document.at("months").at("last").as_string() ==
             evstore::time_bucket(evstore::now_ms()));
}

BOOST_AUTO_TEST_CASE(the_adapter_reads_what_evstore_wrote) {
  auto init = evstore({"init"});
  BOOST_TEST_REQUIRE(init.status == 0, init.err);

  event_maker maker;
  std::vector<json::object> account;
  for (const char* type : {"opened", "renamed", "closed"}) {
    account.push_back(maker.make("account", "acc-2", type, json::object{{"name", "é \"q\""}}));
  }
  account[1]["meta"] = meta();
  account[1]["correlationId"] = "corr-2";
  account[2]["causationId"] = account[1]["id"];
  auto no_identifier = maker.make("system", std::nullopt, "stopped", json::object{{"ok", true}});
  auto offloaded = maker.make("document", "doc-2", "uploaded", large_payload('y'));
  auto ledger = long_stream(maker, "ledger-2");

  // evstore starts a 40-event stream in one append, beside other streams.
  std::vector<json::object> batch = account;
  batch.push_back(no_identifier);
  batch.push_back(offloaded);
  batch.insert(batch.end(), ledger.begin(), ledger.end());
  auto appended = evstore({"append"}, lines_of(batch));
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);

  std::vector<std::pair<json::object, int>> written{
      {account[0], 1}, {account[1], 2}, {account[2], 3}, {no_identifier, 1}, {offloaded, 1}};
  for (int i = 0; i < 40; ++i) written.emplace_back(ledger[static_cast<std::size_t>(i)], i + 1);
  const auto expected = as_replayed(written);

  check_same_events(adapter_replay(), expected);
  check_same_events(evstore_replay(), expected);
  auto sequence = adapter({"sequence", "ledger", "ledger-2"});
  BOOST_TEST(sequence.status == 0, sequence.err);
  BOOST_TEST(sequence.out == "40\n");
}

BOOST_AUTO_TEST_CASE(the_adapter_reads_an_atomic_append) {
  auto init = evstore({"init"});
  BOOST_TEST_REQUIRE(init.status == 0, init.err);

  event_maker maker;
  std::vector<json::object> batch;
  for (const char* type : {"opened", "renamed", "closed"})
    batch.push_back(maker.make("account", "acc-3", type, json::object{{"n", type}}));
  batch[1]["meta"] = meta();
  batch.push_back(maker.make("system", std::nullopt, "stopped", json::object{{"ok", true}}));
  batch.push_back(maker.make("document", "doc-3", "uploaded", large_payload('z')));
  // Three streams written in one transaction, with expectations, and one only checked.
  auto appended =
      evstore({"append", "--atomic", "--expect", "account/acc-3=none", "--expect", "system=any",
               "--expect", "document/doc-3=0", "--expect", "account/acc-4=none"},
              lines_of(batch));
  BOOST_TEST_REQUIRE(appended.status == 0, appended.err);

  const std::vector<std::pair<json::object, int>> written{
      {batch[0], 1}, {batch[1], 2}, {batch[2], 3}, {batch[3], 1}, {batch[4], 1}};
  const auto expected = as_replayed(written);
  check_same_events(adapter_replay(), expected);
  check_same_events(evstore_replay(), expected);
  auto sequence = adapter({"sequence", "account", "acc-3"});
  BOOST_TEST(sequence.status == 0, sequence.err);
  BOOST_TEST(sequence.out == "3\n");
}

BOOST_AUTO_TEST_CASE(both_append_to_one_stream_in_turn) {
  auto init = evstore({"init"});
  BOOST_TEST_REQUIRE(init.status == 0, init.err);
  event_maker maker;
  std::vector<json::object> events;
  for (int i = 0; i < 8; ++i) {
    events.push_back(maker.make("cart", "cart-1", "item-added", json::object{{"item", i}}));
  }
  auto slice = [&events](std::size_t from, std::size_t to) {
    return lines_of({events.begin() + static_cast<std::ptrdiff_t>(from),
                     events.begin() + static_cast<std::ptrdiff_t>(to)});
  };

  // Each writer in turn, with and without an expected sequence.
  auto step1 = adapter({"store"}, slice(0, 2));
  BOOST_TEST_REQUIRE(step1.status == 0, step1.err);
  auto step2 = evstore({"append", "--expected-sequence", "2"}, slice(2, 4));
  BOOST_TEST_REQUIRE(step2.status == 0, step2.err);
  auto step3 = adapter({"store", "--expected-sequence", "4"}, slice(4, 5));
  BOOST_TEST_REQUIRE(step3.status == 0, step3.err);
  auto step4 = evstore({"append"}, slice(5, 7));
  BOOST_TEST_REQUIRE(step4.status == 0, step4.err);
  auto step5 = adapter({"store"}, slice(7, 8));
  BOOST_TEST_REQUIRE(step5.status == 0, step5.err);

  // A stale expected sequence is a conflict for both, and writes nothing.
  event_maker late_maker;
  auto late = late_maker.make("cart", "cart-1", "late", json::object{});
  late["id"] = "late-evstore";
  auto stale_evstore = evstore({"append", "--expected-sequence", "5"}, lines_of({late}));
  BOOST_TEST(stale_evstore.status == 3, stale_evstore.err);
  BOOST_TEST(stale_evstore.err.find('\n') == stale_evstore.err.size() - 1);
  late["id"] = "late-adapter";
  auto stale_adapter = adapter({"store", "--expected-sequence", "5"}, lines_of({late}));
  BOOST_TEST(stale_adapter.status == 3, stale_adapter.err);

  std::vector<std::pair<json::object, int>> written;
  for (int i = 0; i < 8; ++i) written.emplace_back(events[static_cast<std::size_t>(i)], i + 1);
  const auto expected = as_replayed(written);
  check_same_events(evstore_replay(), expected);
  check_same_events(adapter_replay(), expected);
  auto sequence = adapter({"sequence", "cart", "cart-1"});
  BOOST_TEST(sequence.out == "8\n");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()
