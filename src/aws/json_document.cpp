#include "evstore/aws/detail/json_document.hpp"

#include <cstdint>
#include <utility>

#include <boost/json/value_stack.hpp>

#include "evstore/aws/detail/json_scanner.hpp"

namespace evstore::aws::detail {
namespace {

/// Pushes the scanner's events onto a value stack, as Boost.JSON's own parser does.
class document_builder {
 public:
  explicit document_builder(boost::json::storage_ptr storage) { stack_.reset(std::move(storage)); }

  boost::json::value release() { return stack_.release(); }

  void on_object_begin() {}
  void on_object_end(std::size_t members) { stack_.push_object(members); }
  void on_array_begin() {}
  void on_array_end(std::size_t elements) { stack_.push_array(elements); }
  void on_key(std::string_view key) { stack_.push_key(key); }
  void on_string(std::string_view text) { stack_.push_string(text); }
  void on_int64(std::int64_t i) { stack_.push_int64(i); }
  void on_uint64(std::uint64_t u) { stack_.push_uint64(u); }
  void on_double(double d) { stack_.push_double(d); }
  void on_bool(bool b) { stack_.push_bool(b); }
  void on_null() { stack_.push_null(); }

 private:
  boost::json::value_stack stack_;
};

}  // namespace

std::optional<boost::json::value> parse_json(std::string_view text, std::string& error,
                                             boost::json::storage_ptr storage,
                                             std::size_t max_depth) {
  document_builder builder(std::move(storage));
  try {
    json_scanner<document_builder>(text, builder, max_depth).run();
  } catch (const json_syntax_error& syntax) {
    error.assign(syntax.what);
    error += " at offset ";
    error += std::to_string(syntax.offset);
    error += " of ";
    error += std::to_string(text.size());
    error += " bytes";
    return std::nullopt;
  }
  return builder.release();
}

}  // namespace evstore::aws::detail
