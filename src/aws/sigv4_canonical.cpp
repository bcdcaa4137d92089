#include "aws/sigv4_canonical.hpp"

#include <algorithm>
#include <tuple>

#include "http/ascii.hpp"
#include "http/percent_encoding.hpp"

namespace evstore::aws::detail {

namespace {

/// Decodes the percent escapes of `text` and appends the bytes encoded with the unreserved set.
/// A '%' not followed by two hex digits stands for itself.
void append_reencoded(std::string& out, std::string_view text) {
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    http::append_percent_encoded(out, text.substr(run_start, i - run_start));
    char decoded = '%';
    if (i + 2 < text.size()) {
      const int high = http::hex_digit_value(text[i + 1]);
      const int low = http::hex_digit_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        decoded = static_cast<char>(high << 4 | low);
        i += 2;
      }
    }
    http::append_percent_encoded(out, std::string_view(&decoded, 1));
    run_start = i + 1;
  }
  http::append_percent_encoded(out, text.substr(run_start));
}

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Appends `value` without leading and trailing whitespace, each inner run of it as one space.
void append_trimmed(std::string& out, std::string_view value) {
  // Most values hold no byte up to the space character, so nothing to trim or fold.
  if (std::none_of(value.begin(), value.end(),
                   [](char c) { return static_cast<unsigned char>(c) <= ' '; })) {
    out += value;
    return;
  }
  std::size_t i = 0;
  bool first = true;
  for (;;) {
    while (i < value.size() && is_space(value[i])) ++i;
    if (i == value.size()) return;
    const std::size_t word_start = i;
    while (i < value.size() && !is_space(value[i])) ++i;
    if (!first) out.push_back(' ');
    out.append(value.data() + word_start, i - word_start);
    first = false;
  }
}

}  // namespace

bool is_unsigned_header(std::string_view name) noexcept {
  if (name.starts_with("proxy-") || name.starts_with("sec-")) return true;
  // By length first: most signed names (host, content-type, x-amz-*) fail at once.
  switch (name.size()) {
    case 2:
      return name == "te";
    case 4:
      return name == "from";
    case 6:
      return name == "expect" || name == "pragma";
    case 7:
      return name == "referer" || name == "trailer" || name == "upgrade";
    case 10:
      return name == "connection" || name == "keep-alive" || name == "user-agent";
    case 12:
      return name == "max-forwards";
    case 13:
      return name == "authorization" || name == "cache-control";
    case 15:
      return name == "x-amzn-trace-id";
    case 17:
      return name == "transfer-encoding";
    default:
      return false;
  }
}

std::string_view canonical_request_builder::build(const http::request& req,
                                                  std::string_view payload_hash, bool s3) {
  const std::string_view target = req.target;
  const std::size_t query_start = target.find('?');
  out_.clear();
  out_ += req.method;
  out_ += '\n';
  append_path(target.substr(0, query_start), s3);
  out_ += '\n';
  if (query_start != std::string_view::npos) append_query(target.substr(query_start + 1));
  out_ += '\n';
  append_headers(req.headers);
  out_ += '\n';
  out_ += signed_headers_;
  out_ += '\n';
  out_ += payload_hash;
  return out_;
}

void canonical_request_builder::append_path(std::string_view path, bool s3) {
  if (path.empty()) {
    out_ += '/';
    return;
  }
  if (s3) {
    out_ += path;
    return;
  }
  segments_.clear();
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    const std::string_view segment = path.substr(pos, slash - pos);
    if (segment == "..") {
      if (!segments_.empty()) segments_.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments_.push_back(segment);
    }
    pos = slash + 1;
  }
  if (path.front() == '/') out_ += '/';
  for (std::size_t i = 0; i < segments_.size(); ++i) {
    if (i != 0) out_ += '/';
    http::append_percent_encoded(out_, segments_[i]);
  }
  if (!segments_.empty() && path.back() == '/') out_ += '/';
}

void canonical_request_builder::append_query(std::string_view query) {
  params_text_.clear();
  params_.clear();
  std::size_t pos = 0;
  while (pos <= query.size()) {
    std::size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view param = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (param.empty()) continue;
    const std::size_t eq = param.find('=');
    const std::size_t offset = params_text_.size();
    append_reencoded(params_text_, param.substr(0, eq));
    const std::size_t name_size = params_text_.size() - offset;
    if (eq != std::string_view::npos) append_reencoded(params_text_, param.substr(eq + 1));
    const std::size_t value_size = params_text_.size() - offset - name_size;
    params_.push_back({offset, name_size, value_size});
  }
  const std::string_view text = params_text_;
  const auto name = [text](const param_ref& p) { return text.substr(p.offset, p.name_size); };
  const auto value = [text](const param_ref& p) {
    return text.substr(p.offset + p.name_size, p.value_size);
  };
  std::sort(params_.begin(), params_.end(), [&](const param_ref& a, const param_ref& b) {
    return std::tuple(name(a), value(a)) < std::tuple(name(b), value(b));
  });
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (i != 0) out_ += '&';
    out_ += name(params_[i]);
    out_ += '=';
    out_ += value(params_[i]);
  }
}

void canonical_request_builder::append_headers(const http::header_list& headers) {
  names_.clear();
  headers_.clear();
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::size_t offset = names_.size();
    const std::size_t size = headers[i].name.size();
    names_.resize(offset + size);
    std::transform(headers[i].name.begin(), headers[i].name.end(), names_.begin() + offset,
                   http::ascii_lower);
    if (is_unsigned_header(std::string_view(names_).substr(offset))) {
      names_.resize(offset);
      continue;
    }
    headers_.push_back({offset, size, i, headers[i].value});
  }
  const std::string_view text = names_;
  const auto name = [text](const header_ref& h) { return text.substr(h.name_offset, h.name_size); };
  std::sort(headers_.begin(), headers_.end(), [&](const header_ref& a, const header_ref& b) {
    return std::tuple(name(a), a.order) < std::tuple(name(b), b.order);
  });
  signed_headers_.clear();
  for (std::size_t i = 0; i < headers_.size(); ++i) {
    const std::string_view current = name(headers_[i]);
    if (i != 0 && current == name(headers_[i - 1])) {
      // A repeated header: its values join the line opened by the first one, in request order.
      out_ += ',';
    } else {
      if (i != 0) {
        out_ += '\n';
        signed_headers_ += ';';
      }
      out_ += current;
      out_ += ':';
      signed_headers_ += current;
    }
    append_trimmed(out_, headers_[i].value);
  }
  if (!headers_.empty()) out_ += '\n';
}

void append_string_to_sign(std::string& out, std::string_view amz_date,
                           std::string_view credential_scope,
                           std::string_view canonical_request_sha256_hex) {
  out += "AWS4-HMAC-SHA256\n";
  out += amz_date;
  out += '\n';
  out += credential_scope;
  out += '\n';
  out += canonical_request_sha256_hex;
}

}  // namespace evstore::aws::detail
