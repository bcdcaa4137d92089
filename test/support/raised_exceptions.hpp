#pragma once
// Counts the exceptions this process raises: every throw, rethrow (`throw;`) and
// std::rethrow_exception passes through the unwinder's entry points, which the definition
// (raised_exceptions.cpp) interposes. Tests of paths meant to report expected outcomes without
// exceptions compare the count before and after.

#include <cstdint>

namespace evstore::test {

/// Exceptions raised by any thread of the process so far.
std::uint64_t raised_exceptions() noexcept;

}  // namespace evstore::test
