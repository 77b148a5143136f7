#pragma once
// Atomic file replacement: the bytes go to a temporary file in the same directory,
// which is flushed to disk and renamed over the target. A reader (or a crash at any
// moment) sees either the complete old file or the complete new one, never a mix.
// A symbolic link is followed: the file it names is replaced, and the link kept.

#include <filesystem>
#include <span>

namespace glassnet {

// Throws Error naming the path if any step fails (the temporary file is removed), and
// before any when the path names something other than a regular file: a rename would
// replace a device, a pipe or a socket with the file.
void write_file_atomically(const std::filesystem::path& path, std::span<const std::byte> bytes);

}  // namespace glassnet
