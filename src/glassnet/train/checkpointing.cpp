#include "glassnet/train/checkpointing.hpp"

#include <fmt/format.h>

#include <regex>

#include "glassnet/core/error.hpp"
#include "glassnet/train/trainer.hpp"

namespace glassnet {

Checkpointing::Checkpointing(std::filesystem::path directory, Index every_epochs)
    : directory_(std::move(directory)), every_epochs_(every_epochs) {
  if (every_epochs <= 0) throw Error(fmt::format("checkpoint interval: expected ≥ 1 epoch, got {}", every_epochs));
}

std::filesystem::path Checkpointing::path_for(const std::filesystem::path& directory, Index epoch) {
  return directory / fmt::format("checkpoint-epoch-{:06d}.safetensors", epoch);
}

void Checkpointing::on_epoch_end(Trainer& trainer, const EpochLogs& logs) {
  if (logs.epoch % every_epochs_ != 0) return;
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error)
    throw Error(fmt::format("{}: cannot create the checkpoint directory: {}", directory_.string(), error.message()));
  trainer.save_checkpoint(path_for(directory_, logs.epoch));
}

namespace {

// Each checkpoint file in `directory` with its epoch.
std::vector<std::pair<long, std::filesystem::path>> checkpoints_in(const std::filesystem::path& directory) {
  std::vector<std::pair<long, std::filesystem::path>> found;
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) return found;
  static const std::regex pattern(R"(checkpoint-epoch-(\d{6})\.safetensors)");
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    std::smatch match;
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && std::regex_match(name, match, pattern)) {
      found.emplace_back(std::stol(match[1].str()), entry.path());
    }
  }
  return found;
}

}  // namespace

std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& directory) {
  std::optional<std::filesystem::path> best;
  long best_epoch = -1;
  for (const auto& [epoch, path] : checkpoints_in(directory)) {
    if (epoch > best_epoch) {
      best_epoch = epoch;
      best = path;
    }
  }
  return best;
}

void remove_checkpoints_after(const std::filesystem::path& directory, Index epoch) {
  for (const auto& [at, path] : checkpoints_in(directory)) {
    std::error_code ignored;
    if (at > epoch) std::filesystem::remove(path, ignored);
  }
}

}  // namespace glassnet
