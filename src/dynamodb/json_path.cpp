#include "json_path.hpp"

#include <vector>

#include <boost/json/value.hpp>

namespace evstore::dynamodb::detail {

std::string json_path::str() const {
  std::vector<const json_path*> chain;
  for (const json_path* p = this; p != nullptr; p = p->parent) chain.push_back(p);
  std::string out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const json_path& p = **it;
    if (p.is_index) {
      out += '[';
      out += std::to_string(p.index);
      out += ']';
    } else {
      if (!out.empty()) out += '.';
      out += p.key;
    }
  }
  return out.empty() ? std::string("(root)") : out;
}

void fail(errc code, const json_path& path, std::string_view what) {
  std::string message = path.str();
  message += ": ";
  message += what;
  throw boost::system::system_error(make_error_code(code), message);
}

std::string_view describe(boost::json::kind kind) noexcept {
  switch (kind) {
    case boost::json::kind::null:
      return "null";
    case boost::json::kind::bool_:
      return "a boolean";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_:
      return "a number";
    case boost::json::kind::string:
      return "a string";
    case boost::json::kind::array:
      return "an array";
    case boost::json::kind::object:
      return "an object";
  }
  return "an unknown JSON value";
}

namespace {
[[noreturn]] void wrong_kind(const boost::json::value& v, const json_path& path,
                             std::string_view expected) {
  std::string what = "expected ";
  what += expected;
  what += ", found ";
  what += describe(v.kind());
  fail(errc::malformed_response, path, what);
}
}  // namespace

const boost::json::object& expect_object(const boost::json::value& v, const json_path& path) {
  if (const auto* o = v.if_object()) return *o;
  wrong_kind(v, path, "an object");
}

const boost::json::array& expect_array(const boost::json::value& v, const json_path& path) {
  if (const auto* a = v.if_array()) return *a;
  wrong_kind(v, path, "an array");
}

std::string_view expect_string(const boost::json::value& v, const json_path& path) {
  if (const auto* s = v.if_string()) return *s;
  wrong_kind(v, path, "a string");
}

bool expect_bool(const boost::json::value& v, const json_path& path) {
  if (const auto* b = v.if_bool()) return *b;
  wrong_kind(v, path, "a boolean");
}

double expect_number(const boost::json::value& v, const json_path& path) {
  switch (v.kind()) {
    case boost::json::kind::int64:
      return static_cast<double>(v.get_int64());
    case boost::json::kind::uint64:
      return static_cast<double>(v.get_uint64());
    case boost::json::kind::double_:
      return v.get_double();
    default:
      wrong_kind(v, path, "a number");
  }
}

std::uint64_t expect_count(const boost::json::value& v, const json_path& path) {
  if (const auto* i = v.if_int64(); i && *i >= 0) return static_cast<std::uint64_t>(*i);
  if (const auto* u = v.if_uint64()) return *u;
  wrong_kind(v, path, "a non-negative integer");
}

const boost::json::value& require(const boost::json::object& o, std::string_view name,
                                  const json_path& path) {
  if (const auto* v = o.if_contains(name)) return *v;
  std::string what = "missing member \"";
  what += name;
  what += '"';
  fail(errc::malformed_response, path, what);
}

}  // namespace evstore::dynamodb::detail
