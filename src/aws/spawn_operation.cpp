#include "aws/spawn_operation.hpp"

#include <new>
#include <stdexcept>
#include <system_error>

#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>

namespace evstore::aws::detail {

boost::system::error_code error_code_of(std::exception_ptr failure) noexcept {
  using boost::system::errc::make_error_code;
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    return e.code();
  } catch (const std::system_error& e) {
    return boost::system::error_code(e.code());
  } catch (const std::bad_alloc&) {
    return make_error_code(boost::system::errc::not_enough_memory);
  } catch (const std::logic_error&) {
    return make_error_code(boost::system::errc::invalid_argument);
  } catch (...) {
    return make_error_code(boost::system::errc::io_error);
  }
}

}  // namespace evstore::aws::detail
