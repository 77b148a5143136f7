#pragma once
// The checkpoint callback: every `every_epochs` epochs (and after the last), writes
// <directory>/checkpoint-epoch-NNNNNN.safetensors with Trainer::save_checkpoint,
// atomically. latest_checkpoint finds the newest one in a directory, for resuming.

#include <filesystem>
#include <optional>

#include "glassnet/train/callback.hpp"

namespace glassnet {

class Checkpointing : public Callback {
 public:
  Checkpointing(std::filesystem::path directory, Index every_epochs);
  std::string_view name() const override { return "checkpointing"; }
  void on_epoch_end(Trainer& trainer, const EpochLogs& logs) override;

  static std::filesystem::path path_for(const std::filesystem::path& directory, Index epoch);

 private:
  std::filesystem::path directory_;
  Index every_epochs_;
};

// The checkpoint with the highest epoch in `directory`, if any.
std::optional<std::filesystem::path> latest_checkpoint(const std::filesystem::path& directory);
// Removes the checkpoints in `directory` of epochs after `epoch`: those of a run that
// another replaced from there (train --auto-repair), which latest_checkpoint would pick.
void remove_checkpoints_after(const std::filesystem::path& directory, Index epoch);

}  // namespace glassnet
