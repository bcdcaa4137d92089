#include "evstore/aws/environment.hpp"

#include <cstdlib>
#include <memory>
#include <utility>

namespace evstore::aws {

environment process_environment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string{name}.c_str());
    if (!value) return std::nullopt;
    return std::string{value};
  };
}

environment environment_from(std::map<std::string, std::string, std::less<>> variables) {
  auto shared =
      std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(variables));
  return [shared](std::string_view name) -> std::optional<std::string> {
    auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace evstore::aws
