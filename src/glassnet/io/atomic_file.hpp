#pragma once
// Atomic file replacement: the bytes go to a temporary file in the same directory,
// which is flushed to disk and renamed over the target. A reader (or a crash at any
// moment) sees either the complete old file or the complete new one, never a mix.
// A symbolic link is followed: the file it names is replaced, and the link kept.

#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace glassnet {

// Throws Error naming the path if any step fails (the temporary file is removed), and
// before any for what why_not_replaceable refuses.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

// The file a write to `path` replaces: `path` through its symbolic links, whether or not
// that file exists yet; none when the links do not end (a loop, or more than 40).
std::optional<std::filesystem::path> file_replaced(std::filesystem::path path);

// Why `path` cannot be replaced so, or none: an empty name, links that do not end, a
// name too long for the temporary file beside it (over 243 bytes), or something there
// other than a regular file — a directory, or a device, pipe or socket, which the rename
// would destroy (/dev/null, as root). Whether its directory exists and may be written
// is the caller's to check (io/file_roles.hpp).
std::optional<std::string> why_not_replaceable(const std::filesystem::path& path);

}  // namespace glassnet
