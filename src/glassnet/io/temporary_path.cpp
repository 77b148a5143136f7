#include "glassnet/io/temporary_path.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>

#include "glassnet/core/error.hpp"

namespace glassnet {

std::filesystem::path temporary_path(std::string_view what, std::string_view extension) {
  static std::atomic<long> count{0};
  std::error_code error;
  const std::filesystem::path directory = std::filesystem::temp_directory_path(error);
  if (error) {
    const char* tmpdir = std::getenv("TMPDIR");
    throw Error(fmt::format("no directory for temporary files{}: {}; set TMPDIR to a writable directory",
                            tmpdir != nullptr ? fmt::format(" (TMPDIR={})", tmpdir) : "", error.message()));
  }
  return directory / fmt::format("glassnet-{}-{}-{}{}", what, ::getpid(), count.fetch_add(1), extension);
}

}  // namespace glassnet
