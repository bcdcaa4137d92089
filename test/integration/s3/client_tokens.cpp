// The token forms of s3::client on fauxqs: every operation family once, with a callback,
// use_future, deferred, use_awaitable and as_tuple; S3 errors as error codes and diagnostics,
// never as exceptions.

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/test/unit_test.hpp>

#include "evstore/aws/diagnostics.hpp"
#include "evstore/s3/client.hpp"
#include "evstore/s3/error.hpp"
#include "integration/s3/s3_harness.hpp"
#include "support/run_until.hpp"
#include "support/servers.hpp"

BOOST_AUTO_TEST_SUITE(client_tokens)

namespace asio = boost::asio;
namespace s3 = evstore::s3;
using boost::system::error_code;
using evstore::aws::diagnostics;
using evstore::test::run_until;
using evstore::test::wait_for;
using s3::test::bucket_fixture;

namespace {

struct token_bucket : bucket_fixture {
  token_bucket() : bucket_fixture(evstore::test::s3_url(), "tokens") {}
};

}  // namespace

BOOST_FIXTURE_TEST_CASE(buckets_with_a_callback_and_use_future, token_bucket) {
  BOOST_TEST((s3.get_executor() == asio::any_io_executor(io.get_executor())));
  std::optional<std::pair<error_code, bool>> head;
  s3.async_head_bucket(bucket, [&](error_code ec, bool exists) { head.emplace(ec, exists); });
  run_until(io, [&] { return head.has_value(); });
  BOOST_TEST(!head->first);
  BOOST_TEST(head->second);
  const std::string other = s3::test::unique_bucket_name("tokens-other");
  std::future<bool> absent = s3.async_head_bucket(other, asio::use_future);
  BOOST_TEST(!wait_for(io, absent));
  std::future<bool> made = s3.async_create_bucket(other, asio::use_future);
  BOOST_TEST(wait_for(io, made));
  std::optional<error_code> deleted;
  s3.async_delete_bucket(other, [&](error_code ec) { deleted = ec; });
  run_until(io, [&] { return deleted.has_value(); });
  BOOST_TEST(!*deleted);
}

BOOST_FIXTURE_TEST_CASE(objects_with_deferred_use_awaitable_and_as_tuple, token_bucket) {
  auto put = s3.async_put_object(bucket, "a/1", "first", asio::deferred);
  std::optional<error_code> put_code;
  std::move(put)([&](error_code ec, s3::put_result) { put_code = ec; });
  run_until(io, [&] { return put_code.has_value(); });
  BOOST_TEST(!*put_code);

  std::string body, content_type;
  std::size_t listed = 0, listed_all = 0, not_deleted = 99;
  bool gone = false;
  error_code list_code;
  auto steps = [&]() -> asio::awaitable<void> {
    s3::put_options options;
    options.content_type = "text/plain";
    co_await s3.async_put_object_single(bucket, "a/2", "second", options, asio::use_awaitable);
    s3::object got = co_await s3.async_get_object(bucket, "a/1", 1024, asio::use_awaitable);
    body = got.body;
    std::optional<s3::object_info> info =
        co_await s3.async_head_object(bucket, "a/2", asio::use_awaitable);
    if (info) content_type = info->content_type;
    s3::list_request page_request;
    page_request.prefix = "a/";
    s3::list_page page =
        co_await s3.async_list_objects_v2(bucket, page_request, asio::use_awaitable);
    listed = page.objects.size();
    auto [code, all] =
        co_await s3.async_list_all_objects(bucket, "a/", 1u, asio::as_tuple(asio::use_awaitable));
    list_code = code;
    listed_all = all.size();
    co_await s3.async_delete_object(bucket, "a/1", asio::use_awaitable);
    std::vector<std::string> keys{"a/2"};
    std::vector<s3::delete_failure> failures =
        co_await s3.async_delete_objects(bucket, keys, asio::use_awaitable);
    not_deleted = failures.size();
    std::optional<s3::object_info> after =
        co_await s3.async_head_object(bucket, "a/2", asio::use_awaitable);
    gone = !after;
  };
  s3::test::run(io, steps());
  BOOST_TEST(body == "first");
  BOOST_TEST(content_type == "text/plain");
  BOOST_TEST(listed == 2u);
  BOOST_TEST(!list_code);
  BOOST_TEST(listed_all == 2u);
  BOOST_TEST(not_deleted == 0u);
  BOOST_TEST(gone);
}

BOOST_FIXTURE_TEST_CASE(multipart_uploads_step_by_step_and_whole, token_bucket) {
  std::string stored, whole;
  auto steps = [&]() -> asio::awaitable<void> {
    const std::string upload_id =
        co_await s3.async_create_multipart_upload(bucket, "parts", asio::use_awaitable);
    s3::completed_part part =
        co_await s3.async_upload_part(bucket, "parts", upload_id, 1, "only", asio::use_awaitable);
    std::vector<s3::completed_part> parts{part};
    co_await s3.async_complete_multipart_upload(bucket, "parts", upload_id, parts,
                                                asio::use_awaitable);
    stored = (co_await s3.async_get_object(bucket, "parts", 1024, asio::use_awaitable)).body;

    const std::string abandoned =
        co_await s3.async_create_multipart_upload(bucket, "abandoned", asio::use_awaitable);
    co_await s3.async_abort_multipart_upload(bucket, "abandoned", abandoned, asio::use_awaitable);

    std::vector<std::string_view> views{"whole"};
    co_await s3.async_multipart_upload(bucket, "whole", views, asio::use_awaitable);
    whole = (co_await s3.async_get_object(bucket, "whole", 1024, asio::use_awaitable)).body;
  };
  s3::test::run(io, steps());
  BOOST_TEST(stored == "only");
  BOOST_TEST(whole == "whole");
}

BOOST_FIXTURE_TEST_CASE(errors_are_codes_with_diagnostics_not_exceptions, token_bucket) {
  diagnostics diag;
  std::optional<error_code> missing;
  s3.async_get_object(bucket, "no-such-key", 1024, diag,
                      [&](error_code ec, s3::object) { missing = ec; });
  run_until(io, [&] { return missing.has_value(); });
  BOOST_TEST((*missing == s3::errc::service_error));
  BOOST_TEST(diag.error_code == "NoSuchKey");
  BOOST_TEST(diag.http_status == 404u);

  // A client-side failure: its code, no S3 code, the description as message.
  std::optional<error_code> too_large;
  auto steps = [&]() -> asio::awaitable<void> {
    co_await s3.async_put_object(bucket, "big", std::string(100, 'x'), asio::use_awaitable);
    auto [code, unused] =
        co_await s3.async_get_object(bucket, "big", 10, diag, asio::as_tuple(asio::use_awaitable));
    too_large = code;
  };
  s3::test::run(io, steps());
  BOOST_TEST((*too_large == s3::errc::object_too_large));
  BOOST_TEST(diag.error_code.empty());
  BOOST_TEST(diag.http_status == 0u);
  BOOST_TEST(!diag.message.empty());
}

BOOST_AUTO_TEST_SUITE_END()
