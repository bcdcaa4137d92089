#pragma once
// The file `evstore subscribe --checkpoint` keeps its position in: read at start when present,
// replaced atomically after each page, so that a crash at any moment leaves the old or the new
// position, whole.

#include <optional>
#include <string>

namespace evstore::cli {

/// The checkpoint saved in `path`; nullopt when there is no such file. Throws input_error for
/// an empty or unreadable file.
std::optional<std::string> read_checkpoint_file(const std::string& path);

/// Writes `checkpoint` to `path`.tmp, flushes it to disk, renames it over `path` and flushes
/// the directory. Throws std::system_error naming the step that failed.
void save_checkpoint_file(const std::string& path, const std::string& checkpoint);

}  // namespace evstore::cli
