#include "aws/web_identity_credentials.hpp"

#include <chrono>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/system_error.hpp>

#include "aws/sts.hpp"
#include "evstore/aws/error.hpp"

namespace evstore::aws {

namespace asio = boost::asio;
using boost::system::system_error;

namespace {

constexpr unsigned max_sts_attempts = 3;
constexpr std::chrono::milliseconds sts_retry_base_delay{200};
/// STS names what it rejects; its message is kept to this many bytes.
constexpr std::size_t max_sts_message = 300;

std::string read_token_file(const std::string& path) {
  std::ifstream in{path, std::ios::binary};
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad())
    throw system_error{errc::invalid_config, "web identity: cannot read the token file " + path +
                                                 " (AWS_WEB_IDENTITY_TOKEN_FILE)"};
  std::string token = text.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (token.empty())
    throw system_error{errc::invalid_config, "web identity: the token file " + path + " is empty"};
  return token;
}

// A message from STS with every copy of the token blanked, in case STS quotes it back, and
// shortened.
std::string without_token(std::string message, const std::string& token) {
  constexpr std::string_view blank = "<token>";
  if (!token.empty()) {
    for (std::size_t at = message.find(token); at != std::string::npos;
         at = message.find(token, at + blank.size()))
      message.replace(at, token.size(), blank);
  }
  // Cut only once no copy is left, so no cut-off piece of the token can remain.
  if (message.size() > max_sts_message) message.resize(max_sts_message);
  return message;
}

std::string session_name(const web_identity_settings& settings) {
  if (!settings.role_session_name.empty()) return settings.role_session_name;
  const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return "evstore-" + std::to_string(since_epoch.count());
}

}  // namespace

http::client_options sts_client_options() {
  http::client_options options;
  options.max_connections = 1;
  options.connect_timeout = std::chrono::seconds{3};
  options.request_timeout = std::chrono::seconds{10};
  options.max_response_body = 64 * 1024;
  return options;
}

web_identity_credentials_source::web_identity_credentials_source(asio::any_io_executor executor,
                                                                 const config& cfg,
                                                                 http::client_options options)
    : executor_(std::move(executor)), config_(cfg), options_(std::move(options)) {
  // STS is reached over TLS like the services: the same trusted CAs (AWS_CA_BUNDLE).
  if (options_.ca_file.empty()) options_.ca_file = config_.ca_bundle;
}

web_identity_credentials_source::~web_identity_credentials_source() = default;

asio::awaitable<credentials> web_identity_credentials_source::fetch() {
  const web_identity_settings& settings = config_.web_identity;
  if (!settings.configured())
    throw system_error{errc::credentials_not_found,
                       "web identity: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not set"};
  if (settings.role_arn.empty())
    throw system_error{errc::invalid_config,
                       "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set without AWS_ROLE_ARN"};
  if (settings.token_file.empty())
    throw system_error{errc::invalid_config,
                       "web identity: AWS_ROLE_ARN is set without AWS_WEB_IDENTITY_TOKEN_FILE"};

  if (!pool_)
    pool_ =
        std::make_unique<http::connection_pool>(executor_, config_.endpoint_for("sts"), options_);
  const std::string source = "STS " + pool_->target().authority();
  assume_role_with_web_identity_request request;
  request.role_arn = settings.role_arn;
  request.role_session_name = session_name(settings);
  request.web_identity_token = read_token_file(settings.token_file);
  const std::string body = to_form_body(request);

  for (unsigned attempt = 1;; ++attempt) {
    http::request req;
    req.method = "POST";
    req.target = pool_->target().base_path.empty() ? "/" : pool_->target().base_path;
    req.headers.push_back({"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"});
    req.body = body;

    std::optional<http::response> res;
    std::string failure;
    try {
      res = co_await pool_->send(std::move(req));
    } catch (const system_error& e) {
      if (e.code() == asio::error::operation_aborted) throw;
      failure = e.code().message();
    }
    if (res && res->status == 200)
      co_return parse_assume_role_with_web_identity_response(res->body, source);

    bool retryable = !res || res->status >= 500;
    if (res) {
      failure = "HTTP " + std::to_string(res->status);
      if (std::optional<sts_error> error = parse_sts_error(res->body)) {
        failure = error->code;
        if (!error->message.empty())
          failure += ": " + without_token(std::move(error->message), request.web_identity_token);
        retryable = retryable || is_retryable_sts_error(error->code);
      }
    }
    if (!retryable || attempt == max_sts_attempts)
      throw system_error{
          errc::credentials_unavailable,
          "web identity: AssumeRoleWithWebIdentity of " + settings.role_arn + " at " + source +
              " failed (" + failure + ")" +
              (attempt > 1 ? " after " + std::to_string(attempt) + " attempts" : std::string{})};
    asio::steady_timer pause{executor_, sts_retry_base_delay * (1u << (attempt - 1))};
    co_await pause.async_wait(asio::use_awaitable);
  }
}

}  // namespace evstore::aws
