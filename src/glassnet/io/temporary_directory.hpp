#pragma once
// A private directory for temporary files, removed with everything in it when this goes:
// made by mkdtemp in the system's directory for them (TMPDIR when set and not empty, else /tmp), readable by
// its owner alone, under a name no one can guess in advance — so nothing another user
// planted there (a link to one of your files) can be written through.
//
//   const TemporaryDirectory scratch("fit");   // /tmp/glassnet-fit-Xq3b9A
//   config.out = scratch.path() / "model.safetensors";
//
// Throws Error when it cannot be made (a TMPDIR that does not exist), naming the
// directory and what to do.

#include <filesystem>
#include <string_view>

namespace glassnet {

class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(std::string_view what);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace glassnet
