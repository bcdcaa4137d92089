#pragma once
// Checks the final table against the history of every call (pure logic: the test gathers the
// table's state by direct reads and hands it over). Each violated promise is an anomaly of a
// named kind with the detail needed to find it (call, outcome, error, ids, what the table holds).

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "evstore/store/event.hpp"
#include "evstore/store/time.hpp"
#include "history.hpp"

namespace evstore::history {

struct anomaly {
  std::string kind;
  std::string detail;
};

/// An event item of the table as a Scan reads it (payloads left where they are).
struct scanned_event {
  std::string id;
  std::string created;
  std::uint64_t sequence = 0;
  std::string stream;
};

/// What a reader saw during the run: checked against the final table.
struct observation {
  std::string id;
  std::string tag;
  std::uint64_t sequence = 0;
  std::string created;
  std::string source;  ///< "replay", "stream", "get"
};

struct resumed_replay {
  std::size_t position = 0;  ///< index in the full replay of the event resumed after
  std::vector<event> events;
  bool whole = true;  ///< read to the end (else only the first events were read)
};

/// The table at the end, read directly (not through the fault proxies).
struct final_state {
  std::vector<scanned_event> items;                        ///< every event item (Scan)
  std::map<std::string, std::uint64_t> heads;              ///< stream key -> head version (Scan)
  std::vector<event> replayed;                             ///< a full replay
  std::map<std::string, std::vector<event>> stream_reads;  ///< stream key -> stream_events
  std::map<std::string, std::optional<event>> gets;        ///< id -> get_event_by_id
  std::vector<resumed_replay> resumes;
};

inline std::string created_text(const event& e) {
  return e.created ? format_iso8601(*e.created) : "";
}

inline std::string describe(const event& e) {
  std::string tag;
  self_check(e, tag);
  return e.id + " " + stream_key(e.domain, e.identifier) + "#" + std::to_string(e.sequence) + " " +
         created_text(e) + " tag " + tag;
}

class checker {
 public:
  explicit checker(const std::vector<call_record>& calls) : calls_(calls) {
    for (std::size_t c = 0; c < calls_.size(); ++c)
      for (const sent_event& e : calls_[c].events) {
        auto& entry = sent_[e.tag];
        entry.content = &e;
        entry.calls.push_back(c);
      }
  }

  std::vector<anomaly> check(const final_state& table, const std::vector<observation>& seen) {
    check_items(table);
    check_replay(table);
    check_streams(table);
    check_reads(table);
    check_acknowledged();
    check_observations(seen);
    return std::move(found_);
  }

 private:
  struct sent_tag {
    const sent_event* content = nullptr;
    std::vector<std::size_t> calls;  ///< every call that sent it
  };

  void report(std::string kind, std::string detail) {
    found_.push_back({std::move(kind), std::move(detail)});
  }

  std::string call_text(std::size_t c) const {
    const call_record& call = calls_[c];
    std::string text = call.call + " (" + std::to_string(call.events.size()) + " events to " +
                       call.stream + ", expected " +
                       (call.expected ? std::to_string(*call.expected) : std::string("none")) +
                       ": " + std::string(to_string(call.result));
    if (!call.error.empty()) text += ": " + call.error.substr(0, 300);
    return text + ")";
  }

  void check_items(const final_state& table) {
    std::map<std::string, std::vector<const scanned_event*>> by_id;
    for (const scanned_event& item : table.items) by_id[item.id].push_back(&item);
    for (const auto& [id, items] : by_id) {
      if (items.size() < 2) continue;
      std::string detail = "id " + id + " is held by " + std::to_string(items.size()) + " items:";
      for (const scanned_event* item : items)
        detail +=
            " (" + item->stream + "#" + std::to_string(item->sequence) + " " + item->created + ")";
      detail += "; sent by";
      for (std::size_t c = 0; c < calls_.size(); ++c)
        for (const sent_event& e : calls_[c].events)
          if (e.id == id) {
            detail += " " + call_text(c) + " as tag " + e.tag;
            if (calls_[c].result == outcome::ok)
              for (const returned_event& r : calls_[c].returned)
                if (r.id == id)
                  detail += " returned #" + std::to_string(r.sequence) + " " + r.created;
          }
      report("id stored more than once", detail);
    }
  }

  void check_replay(const final_state& table) {
    std::set<std::pair<std::string, std::string>> in_table;
    for (const scanned_event& item : table.items) in_table.insert({item.id, item.created});
    std::set<std::pair<std::string, std::string>> replayed;
    std::map<std::string, std::vector<const event*>> by_tag;
    std::map<std::string, const event*> last_of_stream;
    std::map<std::string, std::size_t> order_violations;
    for (const event& e : table.replayed) {
      replayed_by_id_[e.id].push_back(&e);
      const std::pair<std::string, std::string> key{e.id, created_text(e)};
      if (!replayed.insert(key).second) report("replay returned an event twice", describe(e));
      if (!in_table.contains(key))
        report("replay returned an event the table does not hold", describe(e));
      std::string tag;
      if (const auto problem = self_check(e, tag)) {
        report("mixed or empty event in the final replay", describe(e) + ": " + *problem);
        continue;
      }
      by_tag[tag].push_back(&e);
      const std::string stream = stream_key(e.domain, e.identifier);
      const event*& last = last_of_stream[stream];
      if (last && e.sequence <= last->sequence && order_violations[stream]++ < 3)
        report("replay order contradicts a stream's order",
               describe(e) + " comes after " + describe(*last));
      if (!last || e.sequence > last->sequence) last = &e;
    }
    for (const auto& [stream, count] : order_violations)
      if (count > 3)
        report("replay order contradicts a stream's order",
               stream + ": " + std::to_string(count) + " events in all come after a later one");
    for (const scanned_event& item : table.items)
      if (!replayed.contains({item.id, item.created}))
        report("replay missed an event", item.id + " " + item.stream + "#" +
                                             std::to_string(item.sequence) + " " + item.created);

    for (const auto& [tag, events] : by_tag) {
      const auto sent = sent_.find(tag);
      if (sent == sent_.end()) {
        report("stored event no call sent", describe(*events.front()));
        continue;
      }
      if (events.size() > 1) {
        std::string detail = "tag " + tag + " stored " + std::to_string(events.size()) + " times:";
        for (const event* e : events) detail += " [" + describe(*e) + "]";
        detail += "; sent by";
        for (std::size_t c : sent->second.calls) detail += " " + call_text(c);
        report("event stored more than once", detail);
      }
      for (const event* e : events) {
        if (!same_content(*e, *sent->second.content))
          report("stored content differs from what was sent", describe(*e));
        if (!sent->second.content->id.empty() && e->id != sent->second.content->id)
          report("stored under another id", describe(*e) + ", sent as " + sent->second.content->id);
      }
      // Only ok and outcome_unknown (or a call cut short) say a call may have written; any
      // other error is the store saying it did not.
      const auto senders = sent->second.calls;
      // A failed call still acknowledges the events its error lists as stored.
      const bool some_call_may_have_written =
          std::any_of(senders.begin(), senders.end(), [&](std::size_t c) {
            return (!definitely_not_written(calls_[c].result) &&
                    calls_[c].result != outcome::other) ||
                   std::any_of(calls_[c].returned.begin(), calls_[c].returned.end(),
                               [&](const returned_event& r) { return r.tag == tag; });
          });
      if (!some_call_may_have_written) {
        const bool plain_error = std::any_of(senders.begin(), senders.end(), [&](std::size_t c) {
          return calls_[c].result == outcome::other;
        });
        std::string detail =
            describe(*events.front()) +
            " is stored, but every call sending it was told it was not written" +
            (plain_error ? " or failed with an error other than outcome_unknown:" : ":");
        for (std::size_t c : senders) detail += " " + call_text(c);
        report(plain_error ? "written although the call failed without outcome_unknown"
                           : "written although the call was told not written",
               detail);
      }
    }
  }

  void check_streams(const final_state& table) {
    std::map<std::string, std::vector<std::uint64_t>> sequences;
    for (const scanned_event& item : table.items) sequences[item.stream].push_back(item.sequence);
    std::set<std::string> streams;
    for (const auto& [stream, seqs] : sequences) streams.insert(stream);
    for (const auto& [stream, version] : table.heads) streams.insert(stream);
    for (const std::string& stream : streams) {
      std::vector<std::uint64_t>& seqs = sequences[stream];
      std::sort(seqs.begin(), seqs.end());
      for (std::size_t i = 0; i < seqs.size(); ++i)
        if (seqs[i] != i + 1) {
          report("stream sequences not 1..n", stream + ": position " + std::to_string(i + 1) +
                                                  " holds sequence " + std::to_string(seqs[i]) +
                                                  " (" + std::to_string(seqs.size()) + " events)");
          break;
        }
      const auto head = table.heads.find(stream);
      const std::uint64_t version = head == table.heads.end() ? 0 : head->second;
      if (version != seqs.size())
        report("head version differs from the stream's events",
               stream + ": head " + std::to_string(version) + ", " + std::to_string(seqs.size()) +
                   " events");
    }
  }

  /// The replayed event of this id, when exactly one.
  const event* replayed_event(const std::string& id) const {
    const auto found = replayed_by_id_.find(id);
    return found == replayed_by_id_.end() || found->second.size() != 1 ? nullptr
                                                                       : found->second.front();
  }

  static bool same_event(const event& a, const event& b) {
    return a.id == b.id && a.domain == b.domain && a.identifier == b.identifier &&
           a.type == b.type && parse_json(a.payload_json) == parse_json(b.payload_json) &&
           parse_json(a.meta_json.value_or("")) == parse_json(b.meta_json.value_or("")) &&
           a.created == b.created && a.sequence == b.sequence;
  }

  void check_reads(const final_state& table) {
    std::map<std::string, std::vector<const scanned_event*>> items_by_stream;
    for (const scanned_event& item : table.items) items_by_stream[item.stream].push_back(&item);
    for (auto& [stream, items] : items_by_stream)
      std::sort(items.begin(), items.end(), [](const scanned_event* a, const scanned_event* b) {
        return a->sequence < b->sequence;
      });
    for (const auto& [stream, events] : table.stream_reads) {
      const std::vector<const scanned_event*>& items = items_by_stream[stream];
      if (events.size() != items.size()) {
        report("stream read differs from the table",
               stream + ": read " + std::to_string(events.size()) + " events, the table holds " +
                   std::to_string(items.size()));
        continue;
      }
      for (std::size_t i = 0; i < events.size(); ++i) {
        const event* replayed = replayed_event(events[i].id);
        if (events[i].id != items[i]->id || events[i].sequence != items[i]->sequence || !replayed ||
            !same_event(events[i], *replayed)) {
          report("stream read differs from the table",
                 stream + " position " + std::to_string(i + 1) + ": read " + describe(events[i]) +
                     ", table " + items[i]->id + "#" + std::to_string(items[i]->sequence));
          break;
        }
      }
    }
    for (const auto& [id, got] : table.gets) {
      const event* replayed = replayed_event(id);
      if (!got && replayed) report("get misses a replayed event", describe(*replayed));
      if (got && (!replayed || !same_event(*got, *replayed)))
        report("get differs from replay",
               "get " + describe(*got) + ", replay " +
                   (replayed ? describe(*replayed) : std::string("none or several")));
    }
    for (const resumed_replay& resume : table.resumes) {
      const std::vector<event>& all = table.replayed;
      const std::size_t rest = all.size() - resume.position - 1;
      const std::string where = "after " + describe(all[resume.position]) + " (position " +
                                std::to_string(resume.position) + ")";
      if (resume.whole ? resume.events.size() != rest : resume.events.size() > rest) {
        report("resumed replay is not the rest",
               where + ": " + std::to_string(resume.events.size()) + " events, " +
                   std::to_string(rest) + " follow");
        continue;
      }
      for (std::size_t i = 0; i < resume.events.size(); ++i)
        if (!same_event(resume.events[i], all[resume.position + 1 + i])) {
          report("resumed replay is not the rest",
                 where + ": event " + std::to_string(i) + " is " + describe(resume.events[i]) +
                     ", the full replay has " + describe(all[resume.position + 1 + i]));
          break;
        }
    }
  }

  void check_acknowledged() {
    // Tags more than one call returned: an event resent by a later call comes back as stored,
    // with the sequence it got first.
    std::map<std::string, std::size_t> returned_by;
    for (const call_record& call : calls_)
      for (const returned_event& r : call.returned) ++returned_by[r.tag];
    for (std::size_t c = 0; c < calls_.size(); ++c) {
      const call_record& call = calls_[c];
      if (call.result != outcome::ok) {
        check_written_by_failed_call(c);
        continue;
      }
      if (call.returned.size() != call.events.size()) {
        report("acknowledged call returned another count",
               call_text(c) + " returned " + std::to_string(call.returned.size()) + " events");
        continue;
      }
      for (std::size_t i = 0; i < call.events.size(); ++i) {
        const sent_event& sent = call.events[i];
        const returned_event& told = call.returned[i];
        if (told.tag != sent.tag || (!sent.id.empty() && told.id != sent.id)) {
          report("acknowledged with other content",
                 call_text(c) + " event " + std::to_string(i) + " sent id " + sent.id + " tag " +
                     sent.tag + ", returned id " + told.id + " tag " + told.tag);
          continue;
        }
        const event* stored = replayed_event(told.id);
        if (!stored) {
          report("acknowledged event not stored once",
                 call_text(c) + " event " + told.id + " (" +
                     std::to_string(
                         replayed_by_id_.count(told.id) ? replayed_by_id_.at(told.id).size() : 0) +
                     " copies)");
          continue;
        }
        std::string tag;
        self_check(*stored, tag);
        if (tag != sent.tag || !same_content(*stored, sent) || stored->sequence != told.sequence ||
            created_text(*stored) != told.created)
          report("acknowledged event changed",
                 call_text(c) + " returned " + told.id + "#" + std::to_string(told.sequence) + " " +
                     told.created + " tag " + told.tag + ", table " + describe(*stored));
        if (i > 0 && told.sequence <= call.returned[i - 1].sequence && returned_by[told.tag] < 2 &&
            returned_by[call.returned[i - 1].tag] < 2)
          report("a call's events out of input order",
                 call_text(c) + " event " + std::to_string(i) + " got sequence " +
                     std::to_string(told.sequence) + " after " +
                     std::to_string(call.returned[i - 1].sequence));
        if (call.fresh_ids && call.expected && told.sequence != *call.expected + 1 + i)
          report("expected sequence not honoured", call_text(c) + " event " + std::to_string(i) +
                                                       " got sequence " +
                                                       std::to_string(told.sequence));
      }
    }
  }

  /// Empty when the table holds `id` once with this tag, sequence and created; else what it
  /// holds instead.
  std::string unlike_table(const std::string& id, const std::string& tag, std::uint64_t sequence,
                           const std::string& created) {
    const event* stored = replayed_event(id);
    if (!stored) return "none or several";
    std::string stored_tag;
    self_check(*stored, stored_tag);
    if (stored_tag == tag && stored->sequence == sequence && created_text(*stored) == created)
      return {};
    return describe(*stored);
  }

  void check_observations(const std::vector<observation>& seen) {
    for (const observation& o : seen)
      if (const std::string table = unlike_table(o.id, o.tag, o.sequence, o.created);
          !table.empty())
        report("a concurrent read saw what the table does not hold",
               o.source + " saw " + o.id + "#" + std::to_string(o.sequence) + " " + o.created +
                   " tag " + o.tag + "; table: " + table);
  }

  /// The events a failed call's error listed as stored: each stored once, unchanged.
  void check_written_by_failed_call(std::size_t c) {
    for (const returned_event& told : calls_[c].returned)
      if (const std::string table = unlike_table(told.id, told.tag, told.sequence, told.created);
          !table.empty())
        report("an event a failed call said was stored is not stored as said",
               call_text(c) + " said " + told.id + "#" + std::to_string(told.sequence) + " " +
                   told.created + " tag " + told.tag + "; table: " + table);
  }

  const std::vector<call_record>& calls_;

  std::map<std::string, sent_tag> sent_;
  std::map<std::string, std::vector<const event*>> replayed_by_id_;
  std::vector<anomaly> found_;
};

/// Anomalies grouped by kind: "kind: count" lines, each with up to `details` examples.
inline std::string anomaly_report(const std::vector<anomaly>& anomalies, std::size_t details = 3) {
  std::map<std::string, std::vector<const anomaly*>> by_kind;
  for (const anomaly& a : anomalies) by_kind[a.kind].push_back(&a);
  std::ostringstream out;
  for (const auto& [kind, list] : by_kind) {
    out << "  " << kind << ": " << list.size() << "\n";
    for (std::size_t i = 0; i < list.size() && i < details; ++i)
      out << "    - " << list[i]->detail << "\n";
  }
  return out.str();
}

}  // namespace evstore::history
