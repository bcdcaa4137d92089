// Interposes _Unwind_RaiseException (behind throw and std::rethrow_exception) and
// _Unwind_Resume_or_Rethrow (behind `throw;`): the executable's definitions come first in symbol
// lookup, so libstdc++'s calls reach them; each counts, then calls the unwinder's own. Linked
// into a test executable only when a test calls raised_exceptions().

#include "support/raised_exceptions.hpp"

#include <dlfcn.h>
#include <unwind.h>

#include <atomic>
#include <cstdlib>

namespace {

std::atomic<std::uint64_t> raised{0};

template <class Function>
Function next_definition(const char* name) {
  void* found = dlsym(RTLD_NEXT, name);
  // Without the unwinder nothing could have been thrown: there is no way on.
  if (!found) std::abort();
  return reinterpret_cast<Function>(found);
}

using raise_function = _Unwind_Reason_Code (*)(_Unwind_Exception*);

}  // namespace

extern "C" _Unwind_Reason_Code _Unwind_RaiseException(_Unwind_Exception* exception) {
  static const raise_function unwinder = next_definition<raise_function>("_Unwind_RaiseException");
  raised.fetch_add(1, std::memory_order_relaxed);
  return unwinder(exception);
}

extern "C" _Unwind_Reason_Code _Unwind_Resume_or_Rethrow(_Unwind_Exception* exception) {
  static const raise_function unwinder =
      next_definition<raise_function>("_Unwind_Resume_or_Rethrow");
  raised.fetch_add(1, std::memory_order_relaxed);
  return unwinder(exception);
}

namespace evstore::test {

std::uint64_t raised_exceptions() noexcept {
  return raised.load(std::memory_order_relaxed);
}

}  // namespace evstore::test
