#pragma once
// The files a command reads and writes, checked before any work: an output that is also
// an input (or another output) would destroy it, and one that cannot be written would
// fail only after the work was done.
//
//   check_files({{"--data", data}}, {{"--out", out}, {"--log", log}});
//
// No input may be a directory (a missing one is left to its reader, which names it).
// Every output must not be a directory, its directory must exist (the current one when
// the path has none) and be writable, and it must name none of the inputs or the other
// outputs. Two paths are the same file when std::filesystem::equivalent says so (both
// exist) or when their weakly canonical forms are equal. Errors name the options.

#include <filesystem>
#include <string>
#include <vector>

namespace glassnet {

struct NamedPath {
  std::string option;  // "--out"
  std::filesystem::path path;
};

void check_files(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace glassnet
