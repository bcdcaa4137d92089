// The replay cursor: month by month through timeBucketIndex, a page of index keys at a time,
// each page hydrated before it is returned.

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "evstore/store/repo.hpp"
#include "evstore/store/time.hpp"
#include "repo_state.hpp"

namespace evstore {
namespace {

namespace asio = boost::asio;
namespace ddb = dynamodb;
namespace chr = std::chrono;

/// Where the search for the first month with events starts when the caller gives none.
constexpr chr::year_month earliest_probed_month{chr::year{1970}, chr::January};
/// Months probed at once while looking for the first one with events.
constexpr int months_probed_at_once = 24;

ddb::query_request month_query(const repo_state& state, chr::year_month month) {
  ddb::query_request request;
  request.table_name = state.table;
  request.index_name = std::string(time_bucket_index);
  request.key_condition_expression = "#bucket = :bucket";
  request.names = {{"#bucket", "timeBucket"}};
  request.values = {{":bucket", ddb::attribute_value::string(time_bucket(month))}};
  return request;
}

asio::awaitable<bool> month_has_events(std::shared_ptr<repo_state> state, chr::year_month month) {
  ddb::query_request request = month_query(*state, month);
  request.limit = 1;
  // An empty first page with a LastEvaluatedKey cannot happen without a filter, so one page
  // answers the question.
  const ddb::query_result result = co_await state->ddb.query(request);
  co_return !result.items.empty();
}

}  // namespace

class replay::cursor {
 public:
  cursor(std::shared_ptr<repo_state> state, replay_options options)
      : state_(std::move(state)), options_(options) {
    options_.page_size = std::clamp<std::size_t>(options_.page_size, 1, 1'000'000);
  }

  asio::awaitable<std::optional<std::vector<event>>> next() {
    if (!started_) {
      started_ = true;
      last_ = options_.last_month.value_or(month_of(now_ms()));
      month_ = options_.first_month ? *options_.first_month : co_await first_month_with_events();
    }
    while (month_ <= last_) {
      ddb::query_request request = month_query(*state_, month_);
      request.limit = static_cast<std::int32_t>(options_.page_size);
      request.exclusive_start_key = std::move(resume_after_);
      resume_after_.reset();
      ddb::query_result page = co_await state_->ddb.query(request);
      if (page.last_evaluated_key)
        resume_after_ = std::move(page.last_evaluated_key);
      else
        month_ += chr::months{1};
      if (page.items.empty()) continue;
      std::vector<event> events = co_await state_->hydrate(page.items);
      if (!events.empty()) co_return events;
    }
    co_return std::nullopt;
  }

 private:
  /// The first month from earliest_probed_month to last_ with an entry in the index, or a
  /// month past last_ when there is none.
  asio::awaitable<chr::year_month> first_month_with_events() {
    using probe_op = decltype(asio::co_spawn(
        state_->executor, std::declval<asio::awaitable<bool>>(), asio::deferred));
    for (chr::year_month start = earliest_probed_month; start <= last_;
         start += chr::months{months_probed_at_once}) {
      std::vector<probe_op> probes;
      std::vector<chr::year_month> months;
      for (chr::year_month m = start;
           m <= last_ && months.size() < static_cast<std::size_t>(months_probed_at_once);
           m += chr::months{1}) {
        months.push_back(m);
        probes.push_back(
            asio::co_spawn(state_->executor, month_has_events(state_, m), asio::deferred));
      }
      auto [order, errors, found] =
          co_await asio::experimental::make_parallel_group(std::move(probes))
              .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
      for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
      for (std::size_t i = 0; i < months.size(); ++i)
        if (found[i]) co_return months[i];
    }
    co_return last_ + chr::months{1};
  }

  std::shared_ptr<repo_state> state_;
  replay_options options_;
  bool started_ = false;
  chr::year_month month_{};
  chr::year_month last_{};
  std::optional<ddb::item> resume_after_;
};

replay::replay(std::shared_ptr<repo_state> state, replay_options options)
    : cursor_(std::make_unique<cursor>(std::move(state), options)) {}
replay::~replay() = default;
replay::replay(replay&&) noexcept = default;
replay& replay::operator=(replay&&) noexcept = default;

asio::awaitable<std::optional<std::vector<event>>> replay::next() {
  return cursor_->next();
}

}  // namespace evstore
