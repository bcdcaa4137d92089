#include "aws/instance_metadata_credentials.hpp"

#include <stdexcept>
#include <utility>

#include <boost/system/system_error.hpp>

#include "aws/credentials_json.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace asio = boost::asio;
using boost::system::system_error;

namespace {

constexpr std::string_view credentials_path = "/latest/meta-data/iam/security-credentials/";

// IAM role names: letters, digits and +=,.@_-. Anything else would not be a role and must not
// reach the request target.
bool is_role_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view{"+=,.@_-"}.find(c) != std::string_view::npos;
    if (!ok) return false;
  }
  return true;
}

}  // namespace

instance_metadata_credentials_source::instance_metadata_credentials_source(
    asio::any_io_executor executor, instance_metadata_settings settings,
    http::client_options options, std::chrono::seconds token_ttl)
    : executor_(std::move(executor)),
      settings_(std::move(settings)),
      options_(options),
      token_ttl_(token_ttl) {}

instance_metadata_credentials_source::~instance_metadata_credentials_source() = default;

asio::awaitable<std::string> instance_metadata_credentials_source::session_token() {
  const auto now = std::chrono::steady_clock::now();
  if (!token_.empty() && now < token_expiry_) co_return token_;
  http::request req;
  req.method = "PUT";
  req.target = pool_->target().base_path + "/latest/api/token";
  req.headers.push_back(
      {"X-aws-ec2-metadata-token-ttl-seconds", std::to_string(token_ttl_.count())});
  http::response res;
  try {
    res = co_await pool_->send(std::move(req));
  } catch (const system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;
    // Unreachable metadata most likely means "not on EC2": the chain has nothing left to try.
    throw system_error{errc::credentials_not_found,
                       "EC2 instance metadata at " + pool_->target().authority() +
                           " not reachable (" + e.code().message() + ")"};
  }
  if (res.status != 200 || res.body.empty() || res.body.find_first_of("\r\n") != std::string::npos)
    throw system_error{errc::credentials_unavailable,
                       "EC2 instance metadata at " + pool_->target().authority() +
                           ": the IMDSv2 token request answered HTTP " +
                           std::to_string(res.status) +
                           (res.status == 200 ? " without a usable token" : "")};
  token_ = std::move(res.body);
  // Renewed a minute early, so a token never expires between here and the server.
  token_expiry_ =
      now + token_ttl_ - std::min<std::chrono::seconds>(token_ttl_, std::chrono::minutes{1});
  co_return token_;
}

asio::awaitable<credentials> instance_metadata_credentials_source::fetch() {
  if (settings_.disabled)
    throw system_error{errc::credentials_not_found,
                       "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED"};
  if (!pool_) {
    http::endpoint target;
    try {
      target = http::endpoint::parse(settings_.endpoint);
    } catch (const std::invalid_argument& e) {
      throw system_error{errc::invalid_config,
                         std::string{"AWS_EC2_METADATA_SERVICE_ENDPOINT: "} + e.what()};
    }
    pool_ = std::make_unique<http::connection_pool>(executor_, std::move(target), options_);
  }
  const std::string where = "EC2 instance metadata at " + pool_->target().authority();

  // Sends an authenticated GET; a 401 means the token expired early, so it is renewed once.
  auto get = [this, &where](std::string path) -> asio::awaitable<http::response> {
    http::response res;
    for (int attempt = 0; attempt < 2; ++attempt) {
      std::string token = co_await session_token();
      http::request req;
      req.method = "GET";
      req.target = pool_->target().base_path + path;
      req.headers.push_back({"X-aws-ec2-metadata-token", std::move(token)});
      try {
        res = co_await pool_->send(std::move(req));
      } catch (const system_error& e) {
        if (e.code() == asio::error::operation_aborted) throw;
        throw system_error{errc::credentials_unavailable, where + ": " + e.code().message()};
      }
      if (res.status != 401) break;
      token_.clear();
    }
    co_return res;
  };

  http::response role_list = co_await get(std::string{credentials_path});
  if (role_list.status == 404)
    throw system_error{errc::credentials_unavailable,
                       where + ": no IAM role is attached to this instance"};
  if (role_list.status != 200)
    throw system_error{
        errc::credentials_unavailable,
        where + ": listing the instance's role answered HTTP " + std::to_string(role_list.status)};
  std::string_view role = role_list.body;
  role = role.substr(0, role.find_first_of("\r\n"));
  while (!role.empty() && role.back() == ' ') role.remove_suffix(1);
  if (!is_role_name(role))
    throw system_error{errc::malformed_credentials,
                       where + ": the role listing is not an IAM role name"};

  http::response document = co_await get(std::string{credentials_path} + std::string{role});
  if (document.status != 200)
    throw system_error{errc::credentials_unavailable, where + ": the credentials of role " +
                                                          std::string{role} + " answered HTTP " +
                                                          std::to_string(document.status)};
  co_return parse_credentials_json(document.body, where);
}

}  // namespace evstore::aws
