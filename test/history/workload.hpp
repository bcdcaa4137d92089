#pragma once
// One writer of the checker's workload, the same in a coroutine of the test and in a writer
// process: seeded append calls of 1 to 250 events over a few shared streams, with ids chosen by
// the store or the caller, ids contested by every writer (same id and content, or same id and
// other content), reuse of its own earlier events, expected sequences right, stale or absent,
// payloads large enough to be offloaded, and exact resends after failures; half the calls through
// the awaitable form, half through the completion-token form. Each call is recorded before it is
// sent and after it returns.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/diagnostics.hpp"
#include "evstore/store/errors.hpp"
#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "history.hpp"

namespace evstore::history {

struct writer_settings {
  std::string name;  ///< "c0" for a coroutine, "p0" for a process
  std::uint64_t seed = 1;
  /// Shared by every writer of a run: the contested ids and their canonical content.
  std::uint64_t run_seed = 1;
  /// Append calls (resends included).
  std::size_t calls = 100;
  /// No call is started after this.
  std::chrono::steady_clock::time_point deadline;
};

/// Ids every writer of a run may send, each to its own stream.
inline constexpr std::size_t contested_id_count = 24;

class writer {
 public:
  using recorder = std::function<void(const call_record&)>;

  writer(repo& store, writer_settings settings, recorder on_begin, recorder on_end)
      : store_(store),
        settings_(std::move(settings)),
        random_(settings_.seed),
        on_begin_(std::move(on_begin)),
        on_end_(std::move(on_end)) {}

  boost::asio::awaitable<void> run() {
    std::size_t made = 0;
    for (std::size_t n = 0; made < settings_.calls; ++n) {
      if (std::chrono::steady_clock::now() >= settings_.deadline) break;
      call_record call = co_await next_call(n);
      co_await perform(call);
      ++made;
      // A failed call with caller ids is sent again exactly (the ids make that safe); with
      // generated ids a resend would be new events, so it is not made.
      const bool caller_ids = std::all_of(call.events.begin(), call.events.end(),
                                          [](const sent_event& e) { return !e.id.empty(); });
      for (int k = 1; k <= 3 && caller_ids && made < settings_.calls && chance(0.8); ++k) {
        if (call.result == outcome::ok || call.result == outcome::duplicate ||
            call.result == outcome::invalid)
          break;
        call_record again;
        again.call = settings_.name + "#" + std::to_string(n) + "r" + std::to_string(k);
        again.writer = call.writer;
        again.stream = call.stream;
        again.fresh_ids = call.fresh_ids;
        again.events = call.events;
        // After a conflict the same expected sequence would only conflict again.
        if (call.result != outcome::concurrency_error) again.expected = call.expected;
        call = std::move(again);
        co_await perform(call);
        ++made;
      }
    }
  }

 private:
  bool chance(double p) { return std::bernoulli_distribution(p)(random_); }
  std::size_t below(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(random_);
  }
  std::size_t between(std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(random_);
  }

  static sent_event content(std::string tag, std::size_t stream, std::string type,
                            std::size_t pad) {
    sent_event e;
    e.identifier = stream_identifier(stream);
    e.type = std::move(type);
    e.payload_json = R"({"tag":")" + tag + R"(","stream":")" + stream_key(domain, e.identifier) +
                     R"(","type":")" + e.type + R"(","pad":")" + std::string(pad, 'p') + "\"}";
    e.meta_json = R"({"tag":")" + tag + "\"}";
    e.tag = std::move(tag);
    return e;
  }

  /// Contested id k: the same id, stream and canonical content in every writer of the run.
  sent_event contested(std::size_t k, bool canonical, const std::string& variant_tag) {
    sent_event e = content(canonical ? "x" + std::to_string(k) : variant_tag, k % stream_count,
                           "contested", canonical ? 10 : between(1, 60));
    e.id = "x" + std::to_string(settings_.run_seed) + "-" + std::to_string(k);
    return e;
  }

  boost::asio::awaitable<call_record> next_call(std::size_t n) {
    call_record call;
    call.call = settings_.name + "#" + std::to_string(n);
    call.writer = settings_.name;
    const std::size_t stream = below(stream_count);
    call.stream = stream_key(domain, stream_identifier(stream));
    const double size_draw = std::uniform_real_distribution<double>(0, 1)(random_);
    const std::size_t size = size_draw < 0.85   ? between(1, 4)
                             : size_draw < 0.97 ? between(5, 60)
                                                : between(61, 250);
    const bool caller_ids = chance(0.5);
    call.fresh_ids = caller_ids;
    static constexpr const char* types[] = {"opened", "changed", "closed"};
    std::vector<std::string> ids_in_call;
    for (std::size_t i = 0; i < size; ++i) {
      const std::string tag = call.call + "-" + std::to_string(i);
      const bool big = chance(0.03);
      sent_event e =
          content(tag, stream, types[below(3)], big ? between(2'500, 6'000) : between(0, 200));
      if (caller_ids) {
        e.id = settings_.name + "-" + std::to_string(settings_.seed) + "-" + tag;
        bool fresh = true;
        const double reuse = std::uniform_real_distribution<double>(0, 1)(random_);
        if (reuse < 0.04) {
          // A contested id of this stream: canonical content most of the time.
          const std::size_t k = stream + stream_count * below(contested_id_count / stream_count);
          e = contested(k, chance(0.7), tag);
          fresh = false;
        } else if (reuse < 0.07 && !own_[stream].empty()) {
          // One of its own earlier events: the same content, or other content under its id.
          const sent_event& earlier = own_[stream][below(own_[stream].size())];
          if (chance(0.6))
            e = earlier;
          else
            e.id = earlier.id;
          fresh = false;
        }
        if (std::find(ids_in_call.begin(), ids_in_call.end(), e.id) != ids_in_call.end()) continue;
        ids_in_call.push_back(e.id);
        if (fresh)
          own_[stream].push_back(e);
        else
          call.fresh_ids = false;
      }
      call.events.push_back(std::move(e));
    }
    const double expect = std::uniform_real_distribution<double>(0, 1)(random_);
    if (expect < 0.3) {
      try {
        const std::string identifier = stream_identifier(stream).value_or("");
        call.expected = co_await store_.stream_sequence(domain, identifier);
      } catch (const std::exception&) {
        // A read that failed under faults: the call goes without an expected sequence.
      }
    } else if (expect < 0.5) {
      call.expected = known_[stream];
    } else if (expect < 0.6) {
      call.expected = between(0, known_[stream] + 2);
    }
    co_return call;
  }

  boost::asio::awaitable<void> perform(call_record& call) {
    on_begin_(call);
    std::vector<event> events;
    for (const sent_event& e : call.events) events.push_back(to_event(e));
    append_options options;
    options.expected_sequence = call.expected;
    const std::size_t stream = stream_index(call.stream);
    // Half the calls go through the completion-token form, whose failures (conflicts above all)
    // reach the caller as codes and diagnostics without exceptions: what it is told is held to
    // the same account as the awaitable form's exceptions.
    if (chance(0.5)) {
      diagnostics diag;
      auto [code, stored] = co_await store_.async_append(
          std::move(events), options, diag, boost::asio::as_tuple(boost::asio::use_awaitable));
      if (!code) {
        record_stored(call, stored, stream);
      } else {
        call.result = code == store_errc::concurrency_conflict ? outcome::concurrency_error
                      : code == store_errc::duplicate_event    ? outcome::duplicate
                                                               : outcome_of(code);
        call.error = diag.message();
        if (code == store_errc::concurrency_conflict && diag.actual_version())
          known_[stream] = *diag.actual_version();
        record_written(call, diag.written_events());
      }
      on_end_(call);
      co_return;
    }
    try {
      record_stored(call, co_await store_.append(std::move(events), options), stream);
    } catch (const concurrency_error& e) {
      call.result = outcome::concurrency_error;
      call.error = e.what();
      known_[stream] = e.actual_version();
      record_written(call, e.written_events());
    } catch (const duplicate_event_error& e) {
      call.result = outcome::duplicate;
      call.error = e.what();
      record_written(call, e.written_events());
    } catch (const append_error& e) {
      call.result = outcome_of(e.code());
      call.error = e.what();
      record_written(call, e.written_events());
    } catch (const boost::system::system_error& e) {
      call.result = outcome_of(e.code());
      call.error = e.what();
    } catch (const std::exception& e) {
      call.result = outcome::other;
      call.error = e.what();
    }
    on_end_(call);
  }

  static outcome outcome_of(const boost::system::error_code& code) {
    return code == store_errc::outcome_unknown ? outcome::outcome_unknown
           : code == store_errc::invalid_event ? outcome::invalid
                                               : outcome::other;
  }

  /// The events an append acknowledged as stored.
  void record_stored(call_record& call, const std::vector<event>& stored, std::size_t stream) {
    call.result = outcome::ok;
    for (const event& e : stored) {
      std::string tag;
      self_check(e, tag);
      call.returned.push_back({e.id, tag, e.sequence, e.created ? format_iso8601(*e.created) : ""});
      known_[stream] = std::max(known_[stream], e.sequence);
    }
  }

  /// A failed append says which of its events are stored (written_events): the call
  /// acknowledged those, and the checker holds it to them.
  static void record_written(call_record& call, const std::vector<event>& written) {
    for (const event& e : written) {
      std::string tag;
      self_check(e, tag);
      call.returned.push_back({e.id, tag, e.sequence, e.created ? format_iso8601(*e.created) : ""});
    }
  }

  static std::size_t stream_index(const std::string& key) {
    for (std::size_t s = 0; s < stream_count; ++s)
      if (stream_key(domain, stream_identifier(s)) == key) return s;
    return 0;
  }

  repo& store_;
  writer_settings settings_;
  std::mt19937_64 random_;
  recorder on_begin_;
  recorder on_end_;
  std::uint64_t known_[stream_count] = {};
  std::vector<sent_event> own_[stream_count];
};

}  // namespace evstore::history
