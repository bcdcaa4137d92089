#include "evstore/aws/diagnostics.hpp"

#include <exception>

#include "aws/spawn_operation.hpp"

namespace evstore::aws {

boost::system::error_code diagnose(std::exception_ptr failure, diagnostics* diagnostics) noexcept {
  if (diagnostics) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      try {
        diagnostics->message = e.what();
      } catch (...) {  // out of memory: the code alone
      }
    } catch (...) {
    }
  }
  return detail::error_code_of(failure);
}

}  // namespace evstore::aws
