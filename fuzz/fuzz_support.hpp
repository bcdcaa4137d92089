#pragma once
// What every fuzz target shares: running a parser that may reject its input only with its
// documented error category, and failing loudly (so libFuzzer records a crash) otherwise.
//
// Exceptions other than boost::system::system_error are deliberately not caught anywhere: with
// no handler on the stack the runtime terminates at the throw site, so the crash report shows
// where the exception came from.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include <boost/system/error_category.hpp>
#include <boost/system/system_error.hpp>

namespace evstore::fuzz {

/// Prints why the input broke an invariant and aborts (libFuzzer saves the input).
[[noreturn]] inline void fail(std::string_view what) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

/// Runs `parse()`. Returns true when it returned, false when it threw a system_error of
/// `category` (the documented way to reject bad input). A system_error of any other category
/// is a finding: it aborts, naming the category and message.
template <class Parse>
bool accepts(const boost::system::error_category& category, Parse&& parse) {
  try {
    parse();
    return true;
  } catch (const boost::system::system_error& error) {
    if (error.code().category() == category) return false;
    std::fprintf(stderr, "fuzz: undocumented error category '%s' (%d): %s\n",
                 error.code().category().name(), error.code().value(), error.what());
    std::abort();
  }
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace evstore::fuzz
