#include "glassnet/io/temporary_directory.hpp"

#include <fmt/format.h>
#include <stdlib.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>

#include "glassnet/core/error.hpp"

namespace glassnet {

TemporaryDirectory::TemporaryDirectory(std::string_view what) {
  std::error_code error;
  // An empty TMPDIR is no setting (as for mkstemp(3)'s callers and Python's tempfile):
  // std::filesystem::temp_directory_path would take it as the path "".
  const char* set = std::getenv("TMPDIR");
  const std::filesystem::path directory =
      set != nullptr && *set == '\0' ? std::filesystem::path("/tmp") : std::filesystem::temp_directory_path(error);
  std::string name = (directory / fmt::format("glassnet-{}-XXXXXX", what)).string();
  if (error || ::mkdtemp(name.data()) == nullptr) {
    const std::string why = error ? error.message() : std::strerror(errno);
    const char* tmpdir = std::getenv("TMPDIR");
    throw Error(fmt::format("cannot make a directory for temporary files{}: {}; set TMPDIR to a writable directory",
                            tmpdir != nullptr ? fmt::format(" (TMPDIR={})", tmpdir) : "", why));
  }
  path_ = name;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace glassnet
