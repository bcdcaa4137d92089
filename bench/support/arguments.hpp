#pragma once
// The benchmarks' command lines: "--name value" pairs and bare "--flag"s, looked up by name
// with a default, so each executable states its options where it reads them.

#include <cstdlib>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace evstore::bench {

class arguments {
 public:
  /// `flags` names the options that take no value.
  arguments(int argc, char** argv, std::set<std::string, std::less<>> flags) {
    for (int i = 1; i < argc; ++i) {
      std::string name = argv[i];
      if (name.rfind("--", 0) != 0) {
        positional_.push_back(name);
        continue;
      }
      if (flags.contains(name)) {
        values_[name] = "";
        continue;
      }
      if (i + 1 >= argc) throw std::invalid_argument(name + " needs a value");
      values_[name] = argv[++i];
    }
  }

  bool has(std::string_view name) const { return values_.find(name) != values_.end(); }

  std::string text(std::string_view name, std::string fallback) const {
    const auto found = values_.find(name);
    return found == values_.end() ? fallback : found->second;
  }

  long number(std::string_view name, long fallback) const {
    const auto found = values_.find(name);
    if (found == values_.end()) return fallback;
    char* end = nullptr;
    const long value = std::strtol(found->second.c_str(), &end, 10);
    if (end == found->second.c_str() || *end != '\0' || value < 0)
      throw std::invalid_argument(std::string(name) + " needs a count, not " + found->second);
    return value;
  }

  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::vector<std::string> positional_;
};

}  // namespace evstore::bench
