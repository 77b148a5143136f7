#pragma once
// The files a command reads and writes, checked before any work: an output that is also
// an input (or another output) would destroy it, and one that cannot be written would
// fail only after the work was done.
//
//   check_files({{"--data", data}}, {{"--out", out}, {"--log", log}});
//
// No input may be a directory (a missing one is left to its reader, which names it).
// Every output file must be one write_file_atomically can replace (io/atomic_file.hpp:
// why_not_replaceable: a regular file or none, a name short enough), and the directory
// of the file it names through its links must exist (the current one when the path has
// none) and be writable; an output directory must be one if it exists. No output may
// name an input or another output. Two paths are the same file when
// std::filesystem::equivalent says so (both exist) or when their weakly
// canonical forms are equal. Errors name the options.

#include <filesystem>
#include <string>
#include <vector>

namespace glassnet {

struct NamedPath {
  std::string option;  // "--out"
  std::filesystem::path path;
  bool directory = false;  // an output directory (--checkpoint-dir), made when missing
};

void check_files(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs);

}  // namespace glassnet
