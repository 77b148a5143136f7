#include "cli/run_options.hpp"

#include <fmt/format.h>

#include "cli/config_option.hpp"
#include "cli/number_checks.hpp"
#include "cli/path_checks.hpp"
#include "glassnet/core/error.hpp"

namespace glassnet::cli {
namespace {

template <typename T, typename Parse>
T parse_flag(const std::string& flag, const std::string& value, Parse parse) {
  const auto parsed = parse(value);
  if (!parsed) throw Error(fmt::format("{}: unknown value '{}'", flag, value));
  return *parsed;
}

// An empty value is refused, not taken as the option left out (--target '' trained on
// the last column, --delimiter '' detected one, and neither said so).
CLI::Validator non_empty(const std::string& expected) {
  return CLI::Validator(
      [expected](std::string& input) {
        return input.empty() ? fmt::format("expected {}, got an empty value", expected) : std::string();
      },
      "");
}

}  // namespace

void add_run_options(CLI::App& command, RunFlags& flags, RunCommand purpose) {
  CLI::App* cmd = &command;
  RunConfig& c = flags.config;
  cmd->add_option("--data", c.data, "Training data: CSV with a header row, or IDX images (with --labels)")
      ->check(file_name());
  cmd->add_option("--labels", flags.labels, "IDX labels for the IDX images in --data")->check(file_name());
  cmd->add_option("--target", c.target, "Target column (default: the last column)")->check(non_empty("a column name"));
  cmd->add_option("--ignore", c.ignore, "Columns to leave out of the features (an identifier), comma-separated")
      ->delimiter(',')
      ->check(non_empty("a column name"));
  cmd->add_option("--max-categories", c.max_categories,
                  "Inputs of a text column: beyond them, its most frequent categories and one input for the rest")
      ->check(whole_number(2, kMaxCategories))
      ->capture_default_str();
  cmd->add_option("--task", flags.task, "binary, multiclass or regression (default: inferred from the target)")
      ->check(CLI::IsMember({"binary", "multiclass", "regression"}));
  cmd->add_option("--delimiter", flags.delimiter, "Field delimiter (default: detected)")
      ->check(non_empty(", ; | or tab"));
  add_whole_numbers(command, "--layers", c.layers, 1, kMaxWidth, "Hidden layer widths, comma-separated");
  cmd->add_option("--activation", flags.activation, "Hidden activation")
      ->check(CLI::IsMember({"relu", "leaky-relu", "gelu", "gelu-tanh", "tanh", "sigmoid", "identity"}))
      ->capture_default_str();
  cmd->add_option("--norm", flags.norm, "Normalisation after each hidden layer")
      ->check(CLI::IsMember({"none", "batch", "layer"}))
      ->capture_default_str();
  cmd->add_option("--dropout", c.dropout, "Dropout probability after each hidden activation")
      ->check(real_number(0.0, false, 0.99))
      ->capture_default_str();
  cmd->add_flag("--residual", c.residual, "Residual connections around equal-width hidden layers");
  cmd->add_option("--init", flags.init, "Weight initialiser")
      ->check(CLI::IsMember({"auto", "he", "he-uniform", "xavier", "xavier-uniform", "lecun"}))
      ->capture_default_str();
  cmd->add_option("--optimizer", c.optimizer, "Optimizer")
      ->check(CLI::IsMember({"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"}))
      ->capture_default_str();
  cmd->add_option("--lr", c.learning_rate, "Learning rate")->check(real_number(0.0, true))->capture_default_str();
  cmd->add_option("--weight-decay", c.weight_decay, "Weight decay")
      ->check(real_number(0.0, false))
      ->capture_default_str();
  cmd->add_option("--schedule", c.schedule, "Learning-rate schedule")
      ->check(CLI::IsMember({"none", "step", "exp", "cosine", "plateau"}))
      ->capture_default_str();
  cmd->add_option("--clip-norm", c.clip_norm, "Clip the global gradient norm (0: off)")
      ->check(real_number(0.0, false))
      ->capture_default_str();
  cmd->add_option("--epochs", c.epochs, "Epochs")->check(whole_number(1, kMaxEpochs))->capture_default_str();
  cmd->add_option("--batch-size", c.batch_size, "Batch size")->check(whole_number(1, kMaxBatch))->capture_default_str();
  cmd->add_option("--early-stopping", c.early_stopping, "Patience in epochs on the validation loss (0: off)")
      ->check(whole_number(0, kMaxEpochs))
      ->capture_default_str();
  cmd->add_option("--class-weight", flags.class_weight, "none or balanced")
      ->check(CLI::IsMember({"none", "balanced"}))
      ->capture_default_str();
  cmd->add_option("--val-split", c.val_split, "Validation fraction")
      ->check(real_number(0.0, false, 0.9))
      ->capture_default_str();
  cmd->add_option("--test-split", c.test_split, "Test fraction")
      ->check(real_number(0.0, false, 0.9))
      ->capture_default_str();
  cmd->add_option("--val-data", flags.val_data, "Validation data (CSV or IDX images), instead of --val-split")
      ->check(file_name())
      ->excludes("--val-split");
  cmd->add_option("--val-labels", flags.val_labels, "IDX labels for the images in --val-data")->check(file_name());
  cmd->add_option("--test-data", flags.test_data, "Test data (CSV or IDX images), instead of --test-split")
      ->check(file_name())
      ->excludes("--test-split");
  cmd->add_option("--test-labels", flags.test_labels, "IDX labels for the images in --test-data")->check(file_name());
  cmd->add_option("--impute", flags.impute, "Fill missing values: mean, median or most-frequent")
      ->check(CLI::IsMember({"mean", "median", "most-frequent"}));
  cmd->add_flag("--no-standardize", flags.no_standardize, "Do not standardise numeric features");
  cmd->add_option("--seed", c.seed, "Random seed")->check(whole_number(0, kMaxSeed))->capture_default_str();
  cmd->add_option("--threads", c.threads, "Threads for the matrix products (0: one per hardware thread)")
      ->check(whole_number(0, kMaxThreads))
      ->capture_default_str();
  if (purpose == RunCommand::train) {
    cmd->add_option("--out", c.out, "Model file to write")->check(file_name())->capture_default_str();
    cmd->add_option("--checkpoint-dir", flags.checkpoint_dir, "Write a checkpoint after every epoch here")
        ->check(file_name());
    cmd->add_flag("--resume", c.resume, "Continue from the latest checkpoint in --checkpoint-dir");
    cmd->add_flag("--auto-repair", c.auto_repair,
                  "Repair while training: roll back numerical problems; on a structural one, try the fixes and train "
                  "the best");
  } else {
    cmd->add_option("--out", c.out, "The model file the best configuration names (the doctor writes no model)")
        ->check(file_name())
        ->capture_default_str();
  }
  cmd->add_option("--monitor", flags.monitor, "Training monitor: off, light (every step's norms), full (histograms)")
      ->check(CLI::IsMember({"off", "light", "full"}))
      ->capture_default_str();
  cmd->add_option("--log", flags.log, "Write the monitor's series to this JSONL metrics log")->check(file_name());
  cmd->add_option("--report", flags.report,
                  "Write a self-contained HTML report of the run (drawn from its metrics log)")
      ->check(file_name());
  cmd->add_flag("--quiet", flags.quiet, "Print nothing but errors");
  cmd->add_flag("--json", flags.json,
                purpose == RunCommand::train ? "Print one JSON object with the final metrics and files"
                                             : "Print one JSON object with the findings, trials and files");
  add_config_option(*cmd, flags.config_file);
}

RunConfig& run_config(RunFlags& flags) {
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
    else if (flags.delimiter.size() == 1 &&
             std::string_view(",;\t|").find(flags.delimiter[0]) != std::string_view::npos)
      c.delimiter = flags.delimiter[0];
    else
      throw Error(fmt::format("--delimiter: expected , ; | or tab, got '{}'", flags.delimiter));
  }
  c.standardize = !flags.no_standardize;
  c.monitor = parse_flag<MonitorLevel>("--monitor", flags.monitor, parse_monitor_level);
  if (!flags.log.empty()) c.log = flags.log;
  if (!flags.config_file.empty()) c.config_file = flags.config_file;

  return c;
}

}  // namespace glassnet::cli
