#include "glassnet/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error(path.string() + ": " + what + ": " + std::strerror(errno));
}

// The file a path names through its symbolic links (at most 40, as the kernel follows),
// whether or not that file exists yet.
std::filesystem::path through_links(std::filesystem::path path) {
  std::error_code ec;
  for (int i = 0; i < 40 && std::filesystem::is_symlink(path, ec); ++i) {
    const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
    if (ec) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  return path;
}

}  // namespace

void write_file_atomically(const std::filesystem::path& named, std::span<const std::byte> bytes) {
  if (named.empty()) throw Error("cannot write a file with an empty name");
  const std::filesystem::path path = through_links(named);  // the link stays, and its file is replaced
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(path.string() +
                ": not a regular file (a directory, device, pipe or socket); replacing it would "
                "destroy it");
  }
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  std::string temporary = (directory / fmt::format(".{}.tmp-XXXXXX", path.filename().string())).string();
  const int fd = ::mkstemp(temporary.data());
  if (fd < 0) fail(path, "cannot create a temporary file in " + directory.string());
  const auto remove_temporary = [&] { ::unlink(temporary.c_str()); };

  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      remove_temporary();
      errno = saved;
      fail(path, "cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    remove_temporary();
    errno = saved;
    fail(path, "cannot flush to disk");
  }
  if (::close(fd) != 0) {
    remove_temporary();
    fail(path, "cannot close");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    remove_temporary();
    errno = saved;
    fail(path, "cannot replace");
  }
  // Make the rename itself durable.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace glassnet
