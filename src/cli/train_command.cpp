// glassnet train: trains a model on a CSV file or IDX images and saves it (train/run.hpp does the work).

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/config_option.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {
namespace {

// Set by SIGINT (Ctrl-C); the trainer polls it after every step.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*signal*/) { g_interrupted.store(true); }

struct TrainFlags {
  RunConfig config;
  std::string monitor = "light", log;
  std::string task, activation = "relu", norm = "none", init = "auto", class_weight = "none", impute;
  std::string config_file, labels, val_data, test_data, val_labels, test_labels, checkpoint_dir, delimiter;
  bool no_standardize = false, quiet = false, json = false;
};

// The shell's convention for a process stopped by SIGINT (128 + 2).
constexpr int kInterruptedExitCode = 130;

template <typename T, typename Parse>
T parse_flag(const std::string& flag, const std::string& value, Parse parse) {
  const auto parsed = parse(value);
  if (!parsed) throw Error(fmt::format("{}: unknown value '{}'", flag, value));
  return *parsed;
}

int run(TrainFlags& flags) {
  RunConfig& c = flags.config;
  if (c.data.empty()) throw Error("--data is required, on the command line or as `data` in the --config file");
  if (!flags.task.empty()) c.task = parse_flag<Task>("--task", flags.task, parse_task);
  c.activation = parse_flag<Activation>("--activation", flags.activation, parse_activation);
  c.norm = parse_flag<Normalization>("--norm", flags.norm, parse_normalization);
  c.init = parse_flag<InitScheme>("--init", flags.init, parse_init);
  if (!flags.impute.empty()) c.impute = parse_flag<Imputation>("--impute", flags.impute, parse_imputation);
  c.balanced_class_weights = flags.class_weight == "balanced";
  if (!flags.labels.empty()) c.labels = flags.labels;
  if (!flags.val_data.empty()) c.val_data = flags.val_data;
  if (!flags.test_data.empty()) c.test_data = flags.test_data;
  if (!flags.val_labels.empty()) c.val_labels = flags.val_labels;
  if (!flags.test_labels.empty()) c.test_labels = flags.test_labels;
  if (!flags.checkpoint_dir.empty()) c.checkpoint_dir = flags.checkpoint_dir;
  if (!flags.delimiter.empty()) {
    if (flags.delimiter == "\\t" || flags.delimiter == "tab")
      c.delimiter = '\t';
    else if (flags.delimiter.size() == 1)
      c.delimiter = flags.delimiter[0];
    else
      throw Error(fmt::format("--delimiter: expected one character, got '{}'", flags.delimiter));
  }
  c.standardize = !flags.no_standardize;
  c.monitor = parse_flag<MonitorLevel>("--monitor", flags.monitor, parse_monitor_level);
  if (!flags.log.empty()) c.log = flags.log;

  const bool plain = !flags.quiet && !flags.json;
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  EpochProgress progress(c.epochs, ::isatty(STDOUT_FILENO) != 0);
  const RunResult result =
      run_training(c, {.on_epoch_end =
                           [&](const EpochLogs& e) {
                             if (plain) progress.update(e);
                           },
                       .on_finding =
                           [&](const Finding& f, Index epoch) {
                             if (flags.quiet || flags.json) return;
                             progress.finish();  // the message goes on a line of its own
                             fmt::print(stderr, "{}{}: {}: {}\n", severity_name(f.severity),
                                        epoch > 0 ? fmt::format(" (seen at epoch {})", epoch) : "", f.symptom,
                                        f.summary);
                           },
                       .interrupt = &g_interrupted});
  progress.finish();
  if (result.interrupted) {
    fmt::print(stderr, "interrupted after {} complete epochs: the model was saved to {}{}\n", result.history.size(),
               result.files.at("model"),
               result.files.count("checkpoints")
                   ? fmt::format(", checkpoints are in {}", result.files.at("checkpoints"))
                   : "");
  }
  if (flags.json) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [split, m] : result.metrics) metrics[split] = metrics_json(m);
    const nlohmann::json out = {
        {"task", task_name(result.task)}, {"metrics", metrics},        {"findings", findings_json(result.findings)},
        {"warnings", result.warnings},    {"threads", result.threads}, {"files", result.files},
        {"memory_estimate",
         {{"total", result.memory.total()},
          {"data", result.memory.data},
          {"parameters", result.memory.parameters},
          {"optimizer", result.memory.optimizer},
          {"activations", result.memory.activations},
          {"monitor", result.memory.monitor}}}};
    fmt::print("{}\n", out.dump());
    return result.interrupted ? kInterruptedExitCode : 0;
  }
  for (const auto& w : result.warnings) fmt::print(stderr, "warning: {}\n", w);
  if (flags.quiet) return result.interrupted ? kInterruptedExitCode : 0;
  fmt::print("\n{} task, {} epochs, {} thread{}\n", task_name(result.task), result.history.size(), result.threads,
             result.threads == 1 ? "" : "s");
  for (const char* split : {"train", "val", "test"}) {
    const auto found = result.metrics.find(split);
    if (found != result.metrics.end()) fmt::print("{}:\n{}", split, metrics_text(found->second));
  }
  fmt::print("{}", findings_text(result.findings));
  fmt::print("model written to {}\n", result.files.at("model"));
  return result.interrupted ? kInterruptedExitCode : 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train a network on a CSV file (or IDX images) and save the model");
  auto flags = std::make_shared<TrainFlags>();
  RunConfig& c = flags->config;
  cmd->add_option("--data", c.data, "Training data: CSV with a header row, or IDX images (with --labels)");
  cmd->add_option("--labels", flags->labels, "IDX labels for the IDX images in --data");
  cmd->add_option("--target", c.target, "Target column (default: the last column)");
  cmd->add_option("--task", flags->task, "binary, multiclass or regression (default: inferred from the target)")
      ->check(CLI::IsMember({"binary", "multiclass", "regression"}));
  cmd->add_option("--delimiter", flags->delimiter, "Field delimiter (default: detected)");
  cmd->add_option("--layers", c.layers, "Hidden layer widths")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--activation", flags->activation, "Hidden activation")
      ->check(CLI::IsMember({"relu", "leaky-relu", "gelu", "gelu-tanh", "tanh", "sigmoid", "identity"}))
      ->capture_default_str();
  cmd->add_option("--norm", flags->norm, "Normalisation after each hidden layer")
      ->check(CLI::IsMember({"none", "batch", "layer"}))
      ->capture_default_str();
  cmd->add_option("--dropout", c.dropout, "Dropout probability after each hidden activation")
      ->check(CLI::Range(0.0, 0.99))
      ->capture_default_str();
  cmd->add_flag("--residual", c.residual, "Residual connections around equal-width hidden layers");
  cmd->add_option("--init", flags->init, "Weight initialiser")
      ->check(CLI::IsMember({"auto", "he", "he-uniform", "xavier", "xavier-uniform", "lecun"}))
      ->capture_default_str();
  cmd->add_option("--optimizer", c.optimizer, "Optimizer")
      ->check(CLI::IsMember({"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"}))
      ->capture_default_str();
  cmd->add_option("--lr", c.learning_rate, "Learning rate")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--weight-decay", c.weight_decay, "Weight decay")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--schedule", c.schedule, "Learning-rate schedule")
      ->check(CLI::IsMember({"none", "step", "exp", "cosine", "plateau"}))
      ->capture_default_str();
  cmd->add_option("--clip-norm", c.clip_norm, "Clip the global gradient norm (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--epochs", c.epochs, "Epochs")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--batch-size", c.batch_size, "Batch size")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--early-stopping", c.early_stopping, "Patience in epochs on the validation loss (0: off)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--class-weight", flags->class_weight, "none or balanced")
      ->check(CLI::IsMember({"none", "balanced"}))
      ->capture_default_str();
  cmd->add_option("--val-split", c.val_split, "Validation fraction")
      ->check(CLI::Range(0.0, 0.9))
      ->capture_default_str();
  cmd->add_option("--test-split", c.test_split, "Test fraction")->check(CLI::Range(0.0, 0.9))->capture_default_str();
  cmd->add_option("--val-data", flags->val_data, "Validation data (CSV or IDX images), instead of --val-split");
  cmd->add_option("--val-labels", flags->val_labels, "IDX labels for the images in --val-data");
  cmd->add_option("--test-data", flags->test_data, "Test data (CSV or IDX images), instead of --test-split");
  cmd->add_option("--test-labels", flags->test_labels, "IDX labels for the images in --test-data");
  cmd->add_option("--impute", flags->impute, "Fill missing values: mean, median or most-frequent")
      ->check(CLI::IsMember({"mean", "median", "most-frequent"}));
  cmd->add_flag("--no-standardize", flags->no_standardize, "Do not standardise numeric features");
  cmd->add_option("--seed", c.seed, "Random seed")->capture_default_str();
  cmd->add_option("--threads", c.threads, "Threads for the matrix products (0: one per hardware thread)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--out", c.out, "Model file to write")->capture_default_str();
  cmd->add_option("--checkpoint-dir", flags->checkpoint_dir, "Write a checkpoint after every epoch here");
  cmd->add_flag("--resume", c.resume, "Continue from the latest checkpoint in --checkpoint-dir");
  cmd->add_option("--monitor", flags->monitor, "Training monitor: off, light (every step's norms), full (histograms)")
      ->check(CLI::IsMember({"off", "light", "full"}))
      ->capture_default_str();
  cmd->add_option("--log", flags->log, "Write the monitor's series to this JSONL metrics log");
  cmd->add_flag("--quiet", flags->quiet, "Print nothing but errors");
  cmd->add_flag("--json", flags->json, "Print one JSON object with the final metrics and files");
  add_config_option(*cmd, flags->config_file);
  cmd->callback([cmd, flags, &exit_code] {
    apply_config(*cmd, flags->config_file);
    exit_code = run(*flags);
  });
}

}  // namespace glassnet::cli
