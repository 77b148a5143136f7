#pragma once
// A complete training run from files, as `glassnet train` does it:
//   read the data (CSV, or IDX images with labels: data/read_data.hpp) → type the columns → prepare the rows
//   (train/prepared_data.hpp: target and task, split or validation/test files, missing values, features fitted on the
//   training rows) → build the network, loss and optimizer for the task → train with validation, early stopping and
//   checkpoints → metrics on every split → save the model file.
// Everything the command line offers is a field of RunConfig; the CLI only parses.

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "glassnet/core/error.hpp"
#include "glassnet/data/labels.hpp"
#include "glassnet/data/table.hpp"
#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/monitor.hpp"
#include "glassnet/diag/preflight.hpp"
#include "glassnet/diag/rollback.hpp"
#include "glassnet/io/file_roles.hpp"
#include "glassnet/io/model_file.hpp"
#include "glassnet/train/callback.hpp"
#include "glassnet/train/metrics.hpp"
#include "glassnet/train/prepared_data.hpp"

namespace glassnet {

struct RunConfig {
  std::filesystem::path data;
  std::optional<std::filesystem::path> labels;  // IDX labels for IDX images in `data`
  std::string target;                           // empty: the last column
  std::vector<std::string> ignore;              // columns left out of the features (--ignore)
  Index max_categories = kDefaultMaxCategories;  // inputs of a categorical column (data/features.hpp)
  std::optional<Task> task;                     // inferred when not given
  char delimiter = 0;                           // 0: detect
  std::vector<Index> layers{64, 64};
  Activation activation = Activation::relu;
  Normalization norm = Normalization::none;
  double dropout = 0.0;
  bool residual = false;
  InitScheme init = InitScheme::automatic;
  std::string optimizer = "adam";  // sgd, momentum, nesterov, adam, adamw, rmsprop
  double learning_rate = 1e-3;
  double weight_decay = 0.0;
  std::string schedule = "none";  // none, step, exp, cosine, plateau
  double clip_norm = 0.0;
  Index epochs = 30;
  Index batch_size = 64;
  Index early_stopping = 5;  // patience in epochs on the validation loss; 0: off
  bool balanced_class_weights = false;
  double val_split = 0.2;
  double test_split = 0.0;
  std::optional<std::filesystem::path> val_data, test_data;
  std::optional<std::filesystem::path> val_labels, test_labels;  // IDX labels for those
  std::uint64_t seed = 1;
  int threads = 0;  // threads for the matrix products (core/threads.hpp); 0: the machine's
  bool standardize = true;
  std::optional<Imputation> impute;
  std::filesystem::path out = "model.safetensors";
  std::optional<std::filesystem::path> checkpoint_dir;
  bool resume = false;
  MonitorLevel monitor = MonitorLevel::light;
  // Repairs numerical problems during training by rolling back (diag/rollback.hpp),
  // and stops early when the doctor sees an error, so that a structural repair
  // (diag/repair.hpp: train_with_repair) does not wait for the end.
  bool auto_repair = false;
  std::optional<std::filesystem::path> log;  // the JSONL metrics log
  // The --config file these options were read from: an input, which no output may name.
  std::optional<std::filesystem::path> config_file;
};

struct RunResult {
  Task task = Task::binary;
  std::map<std::string, Metrics> metrics;  // "train", "val", "test"
  std::vector<EpochLogs> history;
  std::vector<std::string> warnings;
  std::map<std::string, std::string> files;  // "model", "checkpoints"
  bool interrupted = false;                  // stopped by the interrupt flag
  int threads = 1;                           // the thread count used
  MonitorSeries monitor;                     // empty when the monitor was off
  std::vector<Finding> findings;             // preflight's and the doctor's, most severe first
  MemoryEstimate memory;                     // the peak estimated before training
  std::vector<RollbackEvent> rollbacks;      // with auto_repair
  // Classification: what learning nothing scores on the rows the run is judged by
  // (validation, else training): diag/doctor.hpp, chance_scores.
  std::optional<ClassScores> chance;
};

// What the caller hears while the run goes on; every member is optional.
struct RunHooks {
  std::function<void(const EpochLogs&)> on_epoch_end;  // after each epoch (progress output)
  // Findings as soon as they are known: preflight's warnings and errors before the
  // first step (epoch 0), then the doctor's errors during training, the first time each
  // is seen (diag/watch.hpp), with the epoch it was seen at. The end's findings are in
  // RunResult.
  std::function<void(const Finding&, Index epoch)> on_finding;
  // Each rollback, as it happens (auto_repair).
  std::function<void(const RollbackEvent&)> on_rollback;
  // When this becomes true, training stops after the current batch and the model is
  // still evaluated and saved (the checkpoints hold the completed epochs).
  const std::atomic<bool>* interrupt = nullptr;
};

// The TrainingError of a run that failed: also what the doctor found up to the failure
// (preflight's findings and the doctor's; non_finite when a value became non-finite),
// as the run's log ends with them, and the monitor's series to then (empty with the
// monitor off).
class TrainingFailed : public TrainingError {
 public:
  TrainingFailed(const std::string& what, std::vector<Finding> findings, MonitorSeries series);
  const std::vector<Finding>& findings() const { return details_->findings; }
  const MonitorSeries& series() const { return details_->series; }

 private:
  struct Details {
    std::vector<Finding> findings;
    MonitorSeries series;
  };
  std::shared_ptr<const Details> details_;  // shared: an exception's copy must not throw
};

// Throws Error for bad input (nothing is written then) and TrainingFailed if training
// fails.
RunResult run_training(const RunConfig& config, const RunHooks& hooks = {});
// The same on data already in memory (the Python module's fit): `table` takes the place
// of config.data and config.labels; everything else is as above.
RunResult run_training(const RunConfig& config, const Table& table, const RunHooks& hooks = {});

// A run in steps, for the repair's trials (diag/repair.hpp): they train several set-ups
// part of the way, compare them, and carry on with the best from where it stands.
//
//   TrainingRun run(config, hooks);  // reads, checks and builds as run_training does
//   run.train_to(7);                 // epochs up to 7 (fewer when early stopping, the
//                                    // doctor under auto_repair or an interrupt stop it)
//   RunResult now = run.so_far();    // metrics and findings as if the run ended now
//   RunResult r = run.finish();      // trains on to config.epochs, then ends as run_training
//
// A run trained to 7 and then on is bit-identical to one trained straight through.
// so_far writes nothing, and asked again with nothing trained since it answers without
// computing again; with early stopping's restore_best it judges the best epoch so
// far, as the end would. train_to and finish throw TrainingFailed as run_training does,
// and the run cannot go on after that. Call finish once. Each step splits its work over
// config.threads threads and leaves the calling thread's count as it was, so runs on
// different threads, or paused side by side, keep their own.
class TrainingRun {
 public:
  // Throws Error for bad input, before anything is written.
  explicit TrainingRun(const RunConfig& config, const RunHooks& hooks = {});
  TrainingRun(const RunConfig& config, const Table& table, const RunHooks& hooks = {});
  // On data already prepared (train/prepared_data.hpp) for a configuration that prepares
  // it alike (same_preparation; an Error otherwise): runs that share it read none.
  TrainingRun(const RunConfig& config, std::shared_ptr<const PreparedData> data, const RunHooks& hooks = {});
  TrainingRun(TrainingRun&&) noexcept;
  TrainingRun& operator=(TrainingRun&&) noexcept;
  ~TrainingRun();

  void train_to(Index epoch);
  // The epochs from now on report to these hooks.
  void set_hooks(const RunHooks& hooks);
  // The epochs from now on split their products over n threads (RunConfig::threads).
  void set_threads(int n);
  // Renames the run's metrics log (config.log; replacing a file there), which goes on
  // being written under its new name and is named so in the result and the log's end.
  void move_log(const std::filesystem::path& to);
  // From now on writes a checkpoint after every epoch into `directory` (config.checkpoint_dir),
  // under this run's options, removing those there of later epochs: for the repaired run
  // of train --auto-repair, which carries on from a trial that wrote none, where the run
  // it replaces may have run further. Nothing changes for a run that writes them already.
  void write_checkpoints(const std::filesystem::path& directory);
  // From now on a numerical problem that the rollbacks do not cure (auto_repair) ends
  // training, with the weights of the best epoch so far and a warning in the result,
  // instead of failing with TrainingError: for the repaired run of train --auto-repair,
  // when no fix is left to try. Only a run with validation rows has a best epoch; one
  // without, or a problem before the first epoch ends, still fails.
  void end_when_rollbacks_fail();
  // From now on no finding it reports (printed, logged or returned) advises these fixes:
  // for the run that carries on after train --auto-repair's trials, those they tried and
  // did not keep.
  void leave_out_fixes(std::vector<std::string> fixes);
  // Adds the "repair" line (diag/repair_json.hpp) to the run's metrics log, if it has one.
  void log_repair(const nlohmann::json& repair);
  Index epoch() const;  // epochs trained
  bool ended() const;   // at config.epochs, stopped or failed: it trains no more
  const RunConfig& config() const;
  std::shared_ptr<const PreparedData> data() const;  // the rows it trains on and is judged by
  RunResult so_far() const;
  // SaveModel::no: no model file is written (a trial, judged and dropped), and the
  // result's files and the log's end name none.
  enum class SaveModel { yes, no };
  RunResult finish(SaveModel save = SaveModel::yes);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The options that do not depend on the data — the files' roles, option pairs, what
// makes the set-up untrainable — checked as a run checks them before it reads anything.
// Throws Error.
void check_run_options(const RunConfig& config);

// What makes a configuration untrainable whatever its data (batch normalisation with
// batches of one row); nullopt when nothing does. A run checks it before reading its
// data; the repair does not try a fix that makes it so.
std::optional<std::string> untrainable(const RunConfig& config);

// The task a run trains: --task, or the one inferred from its target column
// (data/labels.hpp). Throws Error as the run would for a missing or bad target.
Task task_of(const RunConfig& config, const Table& data);

// The files a run reads (--data, --labels, --val-data, …, --config) and writes (--out,
// --log, and the directory --checkpoint-dir), named by their options: io/file_roles.hpp checks them before the data is
// read. An empty --data is no file (the data came as a Table: the Python module's arrays).
std::vector<NamedPath> input_files(const RunConfig& config);
std::vector<NamedPath> output_files(const RunConfig& config);

// The task's metrics for a model on a table that holds the target column. `unseen`
// receives the count of categories unseen in training (encoded as all zeros).
Metrics evaluate_model(Model& model, const Table& table, Index* unseen = nullptr);
// Predictions in evaluation mode: probabilities ([N, 1] binary, [N, C] multiclass) or
// values ([N, 1] regression). `unseen` receives the count of unseen categories. Missing
// values of the features are filled as training filled them (--impute, stored in the
// model); without, they are an Error naming each column and its first lines, as is a
// value too large for the network's inputs.
Matrix predict_model(Model& model, const Table& table, Index* unseen = nullptr);
// The kinds of the columns `model` reads (its features, and with `target` its target
// column), for reading a file to evaluate or predict on (read_data): a column keeps the
// kind it had in training, whatever the file's values look like.
ColumnKinds model_column_kinds(const Model& model, bool target);

}  // namespace glassnet
