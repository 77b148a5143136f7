#pragma once
// The options of a training run, shared by `glassnet train` and `glassnet doctor`: one
// table of options, registered on a subcommand, read back into a RunConfig.

#include <CLI/CLI.hpp>
#include <string>

#include "glassnet/train/run.hpp"

namespace glassnet::cli {

// What the command line (and --config) gives, before it is checked.
struct RunFlags {
  RunConfig config;
  std::string monitor = "light", log, report;
  std::string task, activation = "relu", norm = "none", init = "auto", class_weight = "none", impute;
  std::string config_file, labels, val_data, test_data, val_labels, test_labels, checkpoint_dir, delimiter;
  bool no_standardize = false, quiet = false, json = false;
};

// Which command the options are for: `train` writes a model and checkpoints; `doctor`
// writes neither (its --out is only named in the best configuration it writes, and it
// has no --checkpoint-dir or --resume).
enum class RunCommand { train, doctor };

// Registers every option of a training run on `command` (--quiet and --json included,
// --config too), storing into `flags`.
void add_run_options(CLI::App& command, RunFlags& flags, RunCommand purpose);

// Checks the flags and completes flags.config. Throws Error naming the option.
RunConfig& run_config(RunFlags& flags);

}  // namespace glassnet::cli
