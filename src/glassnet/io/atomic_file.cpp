#include "glassnet/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& what) {
  throw Error(path.string() + ": " + what + ": " + std::strerror(errno));
}

// The temporary file beside the target: ".NAME" + this, its X's made unique by mkstemp.
constexpr std::string_view kTemporarySuffix = ".tmp-XXXXXX";
// The longest name a file may have so that its temporary's fits Linux's 255 bytes.
constexpr std::size_t kLongestName = 255 - 1 - kTemporarySuffix.size();
// Symbolic links followed before a path is taken for a loop, as the kernel does.
constexpr int kMostLinks = 40;

}  // namespace

std::optional<std::filesystem::path> file_replaced(std::filesystem::path path) {
  std::error_code ec;
  for (int i = 0; i < kMostLinks; ++i) {
    if (!std::filesystem::is_symlink(path, ec)) return path;
    const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
    if (ec) return std::nullopt;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  return std::nullopt;
}

std::optional<std::string> why_not_replaceable(const std::filesystem::path& path) {
  if (path.empty()) return "expected a file name, got an empty one";
  // What the path reaches, as the kernel follows it: /dev/stdout's link, read, is
  // "pipe:[123]", which names no file (file_replaced would take it for one not there yet).
  std::error_code reached_error;
  const std::filesystem::file_status reached = std::filesystem::status(path, reached_error);
  const std::string not_regular =
      "that is not a regular file (a device, pipe or socket); outputs are written by replacing a file";
  if (std::filesystem::exists(reached) && !std::filesystem::is_regular_file(reached) &&
      !std::filesystem::is_directory(reached)) {
    return not_regular;
  }
  const std::optional<std::filesystem::path> file = file_replaced(path);
  if (!file) return "its symbolic links do not end (a loop, or more than 40)";
  const std::string name = file->filename().string();
  if (name.size() > kLongestName) {
    return fmt::format("the file name is {} bytes long; at most {} can be written", name.size(), kLongestName);
  }
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(*file, ec);
  if (std::filesystem::is_directory(status)) return "that is a directory; expected a file to write";
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) return not_regular;
  // (Nothing there, or a file where its directory should be: the caller names that.)
  const bool absent = ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory;
  if (ec && !absent) return "cannot tell what is there: " + ec.message();
  return std::nullopt;
}

void write_file_atomically(const std::filesystem::path& named, std::span<const std::byte> bytes) {
  if (const auto why = why_not_replaceable(named)) throw Error(named.string() + ": " + *why);
  const std::filesystem::path path = *file_replaced(named);  // the link stays, and its file is replaced
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
  std::string temporary = (directory / fmt::format(".{}{}", path.filename().string(), kTemporarySuffix)).string();
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
