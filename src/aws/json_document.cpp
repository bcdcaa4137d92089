#include "aws/json_document.hpp"

#include <utility>

#include <boost/json/parse.hpp>

namespace evstore::aws::detail {

std::optional<boost::json::value> parse_json(std::string_view text, std::string& error,
                                             boost::json::storage_ptr storage,
                                             std::size_t max_depth) {
  // Boost.JSON's parser, not json_scanner: on text with few escapes (Query pages, credentials,
  // checkpoints, payloads) its vectorised string scan is faster (a 100-key Query page: 50 us
  // against 68 us); json_scanner wins where strings are full of escapes (BatchGetItem bodies).
  boost::json::parse_options options;
  options.max_depth = max_depth;
  boost::system::error_code ec;
  boost::json::value document = boost::json::parse(
      boost::json::string_view(text.data(), text.size()), ec, std::move(storage), options);
  if (ec) {
    error = ec.message();
    error += ", ";
    error += std::to_string(text.size());
    error += " bytes";
    return std::nullopt;
  }
  return document;
}

}  // namespace evstore::aws::detail
