#include "glassnet/io/file_roles.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "glassnet/core/error.hpp"
#include "glassnet/io/atomic_file.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  if (fs::exists(a, ec) && fs::exists(b, ec)) return fs::equivalent(a, b, ec);
  return fs::weakly_canonical(a, ec) == fs::weakly_canonical(b, ec);
}

void check_writable(const NamedPath& output) {
  std::error_code ec;
  if (output.directory) {
    if (output.path.empty()) throw Error(fmt::format("{}: expected a directory name, got an empty one", output.option));
    if (fs::exists(output.path, ec) && !fs::is_directory(output.path, ec)) {
      throw Error(fmt::format("{} {}: that is a file; expected a directory", output.option, output.path.string()));
    }
    return;
  }
  if (const auto why = why_not_replaceable(output.path)) {
    throw Error(output.path.empty() ? fmt::format("{}: {}", output.option, *why)
                                    : fmt::format("{} {}: {}", output.option, output.path.string(), *why));
  }
  const fs::path file = *file_replaced(output.path);  // (a link's directory is not the file's)
  const fs::path directory = file.has_parent_path() ? file.parent_path() : fs::path(".");
  if (!fs::is_directory(directory, ec)) {
    throw Error(fmt::format("{} {}: {} {}", output.option, output.path.string(), directory.string(),
                            fs::exists(directory, ec) ? "is not a directory" : "does not exist"));
  }
  if (::access(directory.c_str(), W_OK) != 0) {
    throw Error(fmt::format("{} {}: the directory {} is not writable", output.option, output.path.string(),
                            directory.string()));
  }
}

}  // namespace

void check_files(const std::vector<NamedPath>& inputs, const std::vector<NamedPath>& outputs) {
  for (const NamedPath& in : inputs) {
    std::error_code ec;
    if (fs::is_directory(in.path, ec)) {
      throw Error(fmt::format("{} {}: that is a directory; expected a file to read", in.option, in.path.string()));
    }
  }
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const NamedPath& out = outputs[i];
    check_writable(out);
    for (const NamedPath& in : inputs) {
      if (same_file(out.path, in.path)) {
        throw Error(fmt::format("{} {} is also {}: writing it would destroy the input; name another file", out.option,
                                out.path.string(), in.option));
      }
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (same_file(out.path, outputs[j].path)) {
        throw Error(fmt::format("{} and {} name the same file, {}; name two files", outputs[j].option, out.option,
                                out.path.string()));
      }
    }
  }
}

}  // namespace glassnet
