#pragma once
// The shared ~/.aws/credentials and ~/.aws/config files (INI). Pure parsing, no file access.
//
// Credentials file sections are `[name]`; config file sections are `[profile name]` or
// `[default]` (other config sections, such as `[sso-session x]`, are skipped). Comments start
// with '#' or ';' at the start of a line, or after whitespace at the end of a line. An indented
// line under a property with an empty value is a sub-property, stored as "parent.key"
// (`s3 =` / `  addressing_style = path` gives "s3.addressing_style"). Keys are lowercased.

#include <map>
#include <string>
#include <string_view>

namespace evstore::aws {

enum class profile_file_kind { credentials, config };

using profile_properties = std::map<std::string, std::string, std::less<>>;

struct profile_file {
  std::map<std::string, profile_properties, std::less<>> profiles;

  /// The profile's properties, or nullptr.
  const profile_properties* find(std::string_view profile) const;
};

/// Throws system_error with errc::invalid_config naming `file_name` and the line number (never
/// the line's content, which may hold a secret). Later sections of the same profile add to and
/// override earlier ones.
profile_file parse_profile_file(std::string_view text, profile_file_kind kind,
                                std::string_view file_name);

}  // namespace evstore::aws
