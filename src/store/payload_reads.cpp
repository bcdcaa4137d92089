#include "payload_reads.hpp"

#include <algorithm>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "evstore/store/errors.hpp"
#include "evstore/store/event_json.hpp"
#include "evstore/store/validation.hpp"
#include "repo_state.hpp"

namespace evstore {

namespace asio = boost::asio;

payload_read_limit::payload_read_limit(asio::any_io_executor executor, std::size_t max_in_flight)
    : places_(std::move(executor), std::max<std::size_t>(max_in_flight, 1)) {}

asio::awaitable<void> payload_read_limit::acquire() {
  const boost::system::error_code place_taken{};
  co_await places_.async_send(place_taken, asio::use_awaitable);
}

void payload_read_limit::release() {
  places_.try_receive([](boost::system::error_code) {});
}

namespace {

asio::awaitable<std::string> fetch_payload(s3::client& s3, s3_location where, std::string id) {
  try {
    s3::object object = co_await s3.get_object(where.bucket, where.key, max_offloaded_object_bytes);
    co_return event_from_json(object.body).payload_json;
  } catch (const boost::system::system_error& error) {
    // A cancelled read says nothing of the object: the caller's cancellation stays one.
    if (error.code() == boost::asio::error::operation_aborted) throw;
    throw boost::system::system_error(
        make_error_code(store_errc::payload_unavailable),
        "the payload of event '" + id + "' is offloaded to s3://" + where.bucket + "/" + where.key +
            " but cannot be read (" + error.what() +
            "); check that the object exists and the bucket is reachable");
  }
}

/// fetch_payload once `limit` has a place for it.
asio::awaitable<std::string> fetch_payload_within(payload_read_limit& limit, s3::client& s3,
                                                  s3_location where, std::string id) {
  co_await limit.acquire();
  struct place_guard {
    payload_read_limit& limit;
    ~place_guard() { limit.release(); }
  } guard{limit};
  co_return co_await fetch_payload(s3, std::move(where), std::move(id));
}

}  // namespace

asio::awaitable<void> repo_state::fetch_payloads(std::vector<decoded_item>& decoded,
                                                 payload_read_limit& limit) {
  using fetch_op = decltype(asio::co_spawn(executor, std::declval<asio::awaitable<std::string>>(),
                                           asio::deferred));
  std::vector<std::size_t> offloaded;
  std::vector<fetch_op> fetches;
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    if (!decoded[i].offloaded) continue;
    offloaded.push_back(i);
    fetches.push_back(asio::co_spawn(
        executor, fetch_payload_within(limit, s3, *decoded[i].offloaded, decoded[i].value.id),
        asio::deferred));
  }
  if (fetches.empty()) co_return;
  auto [order, errors, payloads] =
      co_await asio::experimental::make_parallel_group(std::move(fetches))
          .async_wait(asio::experimental::wait_for_one_error(), asio::use_awaitable);
  for (const std::exception_ptr& error : errors)
    if (error) std::rethrow_exception(error);
  for (std::size_t k = 0; k < offloaded.size(); ++k) {
    decoded_item& item = decoded[offloaded[k]];
    item.value.payload_json = std::move(payloads[k]);
    item.offloaded.reset();
  }
}

asio::awaitable<event> repo_state::complete(decoded_item decoded) {
  std::vector<decoded_item> one;
  one.push_back(std::move(decoded));
  payload_read_limit limit{executor, 1};
  co_await fetch_payloads(one, limit);
  co_return std::move(one.front().value);
}

}  // namespace evstore
