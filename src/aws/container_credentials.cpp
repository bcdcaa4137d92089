#include "aws/container_credentials.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/system/system_error.hpp>

#include "aws/credentials_json.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace asio = boost::asio;
using boost::system::system_error;

namespace {

// Plain http is only trusted on the machine itself and on the addresses ECS and EKS use.
bool is_trusted_http_host(const std::string& host) {
  if (host == "localhost") return true;
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) return false;
  if (address.is_loopback()) return true;
  return address == asio::ip::make_address("169.254.170.2") ||
         address == asio::ip::make_address("169.254.170.23") ||
         address == asio::ip::make_address("fd00:ec2::23");
}

std::string read_token_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad())
    throw system_error{
        errc::credentials_unavailable,
        "container endpoint: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + path};
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  return token;
}

}  // namespace

http::client_options metadata_client_options() {
  http::client_options options;
  options.max_connections = 1;
  options.connect_timeout = std::chrono::seconds{1};
  options.request_timeout = std::chrono::seconds{5};
  options.max_response_body = 64 * 1024;
  return options;
}

container_credentials_source::container_credentials_source(asio::any_io_executor executor,
                                                           container_credentials_settings settings,
                                                           http::client_options options)
    : executor_(std::move(executor)), settings_(std::move(settings)), options_(options) {}

container_credentials_source::~container_credentials_source() = default;

asio::awaitable<credentials> container_credentials_source::fetch() {
  if (settings_.url.empty())
    throw system_error{errc::credentials_not_found,
                       "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI and "
                       "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI are not set"};

  // endpoint::parse takes no query, so it is split off and sent as part of the target.
  const std::size_t query_start = settings_.url.find('?');
  const std::string query =
      query_start == std::string::npos ? std::string{} : settings_.url.substr(query_start);
  http::endpoint target;
  try {
    target = http::endpoint::parse(std::string_view{settings_.url}.substr(0, query_start));
  } catch (const std::invalid_argument& e) {
    throw system_error{errc::invalid_config, std::string{"container credentials: "} + e.what()};
  }
  if (!target.tls && !is_trusted_http_host(target.host))
    throw system_error{errc::invalid_config,
                       "container credentials URL " + target.authority() +
                           " must use https, or http to a loopback address, 169.254.170.2, "
                           "169.254.170.23 or fd00:ec2::23"};

  const std::string token = settings_.authorization_token_file.empty()
                                ? settings_.authorization_token
                                : read_token_file(settings_.authorization_token_file);
  if (token.find_first_of("\r\n") != std::string::npos)
    throw system_error{errc::invalid_config,
                       "container credentials: the authorization token contains a line break"};

  if (!pool_) pool_ = std::make_unique<http::connection_pool>(executor_, target, options_);
  http::request req;
  req.method = "GET";
  req.target = (target.base_path.empty() ? std::string{"/"} : target.base_path) + query;
  req.headers.push_back({"Accept", "application/json"});
  if (!token.empty()) req.headers.push_back({"Authorization", token});

  http::response res;
  try {
    res = co_await pool_->send(std::move(req));
  } catch (const system_error& e) {
    if (e.code() == asio::error::operation_aborted) throw;
    throw system_error{errc::credentials_unavailable,
                       "container endpoint " + target.authority() + ": " + e.code().message()};
  }
  if (res.status != 200)
    throw system_error{errc::credentials_unavailable,
                       "container endpoint " + target.authority() + " answered HTTP " +
                           std::to_string(res.status) +
                           (res.status == 401 || res.status == 403
                                ? " (check AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE])"
                                : "")};
  co_return parse_credentials_json(res.body, "container endpoint " + target.authority());
}

}  // namespace evstore::aws
