#include "store/append_token.hpp"

#include <cstring>

#include "aws/crypto.hpp"

namespace evstore {
namespace {

namespace ddb = dynamodb;

/// Names the encoding below and the layout of the calls build_transaction (append_steps.cpp) makes
/// of a chunk: a change to either gets a new tag, so no token of an older layout is reused for
/// other content.
constexpr std::string_view digest_tag = "evstore TransactWriteItems append v2\n";
/// The same for the calls of atomic appends (append_atomic.cpp: build_transaction per stream
/// written, then a ConditionCheck per stream checked).
constexpr std::string_view atomic_digest_tag = "evstore TransactWriteItems atomic append v1\n";
/// The digest buffer is kept between calls up to this size.
constexpr std::size_t retained_buffer_bytes = 1 << 20;

void append_size(std::string& out, std::size_t size) {
  out += std::to_string(size);
  out += ':';
}

void append_text(std::string& out, std::string_view text) {
  append_size(out, text.size());
  out += text;
}

void append_value(std::string& out, const ddb::attribute_value& value) {
  out += ddb::wire_name(value.type());
  out += ' ';
  switch (value.type()) {
    case ddb::attribute_type::s:
      append_text(out, value.as_string());
      return;
    case ddb::attribute_type::n:
      append_text(out, value.as_number_text());
      return;
    case ddb::attribute_type::b:
      append_text(out, value.as_binary_view());
      return;
    case ddb::attribute_type::boolean:
      out += value.as_bool() ? '1' : '0';
      return;
    case ddb::attribute_type::null:
      return;
    case ddb::attribute_type::m:
      append_size(out, value.as_map().size());
      for (const auto& [name, member] : value.as_map()) {
        append_text(out, name);
        append_value(out, member);
      }
      return;
    case ddb::attribute_type::l:
      append_size(out, value.as_list().size());
      for (const ddb::attribute_value& element : value.as_list()) append_value(out, element);
      return;
    case ddb::attribute_type::ss:
      append_size(out, value.as_string_set().size());
      for (const std::string& element : value.as_string_set()) append_text(out, element);
      return;
    case ddb::attribute_type::ns:
      append_size(out, value.as_number_set().size());
      for (const std::string& element : value.as_number_set()) append_text(out, element);
      return;
    case ddb::attribute_type::bs:
      append_size(out, value.as_binary_set().size());
      for (const ddb::bytes& element : value.as_binary_set())
        append_text(
            out, std::string_view(reinterpret_cast<const char*>(element.data()), element.size()));
      return;
  }
}

}  // namespace

namespace {

/// A stream, its head versions and the items it writes, unambiguously.
void append_chunk(std::string& content, const transaction_chunk& chunk,
                  const std::vector<ddb::item>& items) {
  append_text(content, chunk.domain);
  append_text(content, chunk.identifier);
  content += std::to_string(chunk.expected_version);
  content += ' ';
  content += std::to_string(chunk.new_version);
  content += ' ';
  append_size(content, chunk.positions.size());
  for (const std::size_t p : chunk.positions) {
    const ddb::item& item = items.at(p);
    append_size(content, item.size());
    for (const auto& [name, value] : item) {
      append_text(content, name);
      append_value(content, value);
    }
  }
}

/// Hashes what `fill` writes into a buffer and a hasher reused within the thread.
template <class Fill>
transaction_digest digest_of(Fill fill) {
  // One buffer and one hasher a thread: the buffer keeps its capacity from call to call, the
  // OpenSSL context is reused, and neither is thread-safe.
  thread_local std::string content;
  thread_local aws::detail::sha256_hasher hasher;
  content.clear();
  fill(content);
  const transaction_digest digest = hasher.digest(content);
  // A call of large items would otherwise pin their size in every thread that appended it.
  if (content.capacity() > retained_buffer_bytes) std::string().swap(content);
  return digest;
}

}  // namespace

transaction_digest transaction_content_digest(std::string_view table,
                                              const transaction_chunk& chunk,
                                              const std::vector<ddb::item>& items) {
  return digest_of([&](std::string& content) {
    content += digest_tag;
    append_text(content, table);
    append_chunk(content, chunk, items);
  });
}

transaction_digest atomic_transaction_digest(std::string_view table,
                                             const std::vector<transaction_chunk>& writes,
                                             const std::vector<atomic_stream_check>& checks,
                                             const std::vector<ddb::item>& items) {
  return digest_of([&](std::string& content) {
    content += atomic_digest_tag;
    append_text(content, table);
    append_size(content, writes.size());
    for (const transaction_chunk& write : writes) append_chunk(content, write, items);
    append_size(content, checks.size());
    for (const atomic_stream_check& check : checks) {
      append_text(content, check.domain);
      append_text(content, check.identifier);
      content += std::to_string(static_cast<int>(check.expectation.what));
      content += ' ';
      content += std::to_string(check.expectation.version);
      content += ' ';
    }
  });
}

std::string client_request_token(const transaction_digest& content, unsigned attempt) {
  thread_local aws::detail::sha256_hasher hasher;
  std::string input(content.size(), '\0');
  std::memcpy(input.data(), content.data(), content.size());
  input += "attempt ";
  input += std::to_string(attempt);
  const aws::detail::sha256_digest digest = hasher.digest(input);
  std::string token;
  aws::detail::append_hex(token, digest);
  token.resize(max_client_request_token_length);
  return token;
}

}  // namespace evstore
