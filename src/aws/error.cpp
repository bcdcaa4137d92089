#include "evstore/aws/error.hpp"

#include <string>

namespace evstore::aws {

namespace {

// boost::system::error_category has a non-virtual destructor by design: categories are
// singletons, never deleted through a base pointer.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "evstore.aws"; }

  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::invalid_config:
        return "invalid AWS configuration";
      case errc::missing_region:
        return "no AWS region configured";
      case errc::credentials_not_found:
        return "no AWS credentials found";
      case errc::credentials_unavailable:
        return "AWS credentials provider failed";
      case errc::malformed_credentials:
        return "malformed AWS credentials";
    }
    return "unknown aws error " + std::to_string(value);
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& aws_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace evstore::aws
