// Saving a model over an existing one, killed with SIGKILL at random moments, many
// times: afterwards the file is always byte for byte either the complete old model or
// the complete new one, and it loads. And a target that is not a regular file is
// refused, not replaced.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>

#include "glassnet/core/error.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/io/safetensors.hpp"

namespace glassnet {
namespace {

namespace fs = std::filesystem;

Model model_with_seed(std::uint64_t seed) {
  Model model;
  Rng rng(seed);
  // ~1 MB of weights, so that a save takes long enough to be interrupted mid-way.
  model.network = make_network({.in_features = 4, .hidden = {256, 256, 256, 256}, .out_features = 1}, rng);
  model.features.columns = {{"a", ColumnKind::numeric, 0, 1, {}},
                            {"b", ColumnKind::numeric, 0, 1, {}},
                            {"c", ColumnKind::numeric, 0, 1, {}},
                            {"d", ColumnKind::numeric, 0, 1, {}}};
  model.labels = {Task::binary, {"0", "1"}};
  model.target = std::string("target");  // (GCC 12 -O3 misreports restrict on short literal assigns)
  return model;
}

TEST(AtomicSave, SigkillDuringSaveLeavesTheOldOrTheNewModel) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("glassnet-kill-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path path = dir / "model.safetensors";
  const Model old_model = model_with_seed(1), new_model = model_with_seed(2);
  save_model(path, new_model);
  const std::vector<std::byte> new_bytes = read_file(path);
  save_model(path, old_model);
  const std::vector<std::byte> old_bytes = read_file(path);
  ASSERT_NE(old_bytes, new_bytes);

  Rng rng(42);
  int saw_old = 0, saw_new = 0;
  for (int attempt = 0; attempt < 60; ++attempt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      for (int i = 0;; ++i) save_model(path, i % 2 == 0 ? new_model : old_model);  // until killed
    }
    ::usleep(static_cast<useconds_t>(rng.below(40'000)));
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    const std::vector<std::byte> bytes = read_file(path);
    const bool is_old = bytes == old_bytes, is_new = bytes == new_bytes;
    ASSERT_TRUE(is_old || is_new) << "attempt " << attempt << ": a torn file of " << bytes.size() << " bytes";
    saw_old += is_old;
    saw_new += is_new;
    EXPECT_NO_THROW(load_model(path));
  }
  EXPECT_GT(saw_old + saw_new, 0);
  std::cout << "after 60 kills: " << saw_old << " old, " << saw_new << " new, 0 torn\n";
  fs::remove_all(dir);
}

// A rename over a pipe (or a device: /dev/null as root) would replace it with a file.
TEST(AtomicSave, ATargetThatIsNotARegularFileIsRefusedAndKept) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("glassnet-fifo-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path pipe = dir / "pipe";
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0644), 0);
  const std::array<std::byte, 3> bytes{};
  try {
    write_file_atomically(pipe, bytes);
    ADD_FAILURE() << "the pipe was replaced";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_fifo(pipe));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);  // no temporary left
  fs::remove_all(dir);
}

// A symbolic link is written through: the file it names is replaced, the link kept (and
// one to a file not there yet makes it).
TEST(AtomicSave, ALinkIsFollowedAndKept) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("glassnet-link-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir / "runs");
  fs::create_symlink("runs/latest.csv", dir / "latest.csv");
  const std::string text = "a,b\n";
  write_file_atomically(dir / "latest.csv", std::as_bytes(std::span(text.data(), text.size())));
  EXPECT_TRUE(fs::is_symlink(dir / "latest.csv"));
  ASSERT_TRUE(fs::is_regular_file(dir / "runs" / "latest.csv"));
  EXPECT_EQ(fs::file_size(dir / "runs" / "latest.csv"), text.size());
  // Links that lead to each other are refused, and stay links (the first was replaced).
  fs::create_symlink("b", dir / "a");
  fs::create_symlink("a", dir / "b");
  try {
    write_file_atomically(dir / "a", std::as_bytes(std::span(text.data(), text.size())));
    ADD_FAILURE() << "a loop of links was written";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("its symbolic links do not end"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_symlink(dir / "a"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace glassnet
