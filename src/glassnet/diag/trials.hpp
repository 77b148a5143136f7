#pragma once
// How the repair's trials run (diag/repair.hpp decides which to run and what to keep).
// A trial is a training set-up run for the trial length on data read once, and judged
// as the end of a run would judge it: its validation metric (accuracy; R² for
// regression) and the doctor's findings.
//
//   TrialRunner runner(data, {.epochs = 7, .carry_on = true, .one_thread = true, .together = true});
//   std::vector<TrialOutcome> two = runner.run({runner.trial(fix, true), runner.trial(seed_2, false)});
//
// Without carry_on a trial trains to its end and writes no model (its --out names a
// file in a scratch directory, never the configuration's). With carry_on (train --auto-repair) it
// is the configured run itself (its epochs, schedule, model file, rollbacks on) paused
// after the trial length, and one that may be kept keeps its paused run, to carry on.
// Where `together`, trials run two at a time, the second on another thread; with
// `one_thread` each splits its products over one thread only (each has a core). A
// trial's outcome depends on its configuration and thread count, not on which thread
// runs it, nor on what runs beside it. Trials that prepare their data alike (the same
// seed, hence the same split, and the same task and data options:
// train/prepared_data.hpp) share it, prepared once. A trial's time counts its data's
// preparation, or its wait for it, only where it asked first.

#include <filesystem>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "glassnet/data/table.hpp"
#include "glassnet/io/temporary_directory.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {

// The validation metric of a run that diverged: below any real accuracy or R².
inline constexpr double kDivergedMetric = -1e9;

struct TrialOutcome {
  Task task = Task::binary;
  // The validation metrics (the training metrics without validation rows), named as
  // train/metrics.hpp names them; empty when it failed (TrainingFailed: its findings are
  // the failure's).
  std::map<std::string, double> judged;
  std::optional<ClassScores> chance;  // classification: RunResult::chance
  std::vector<Finding> findings;
  double seconds = 0.0;
  Index epochs = 0;  // trained (fewer when it stopped early)
  MonitorSeries series;
  std::unique_ptr<TrainingRun> run;          // carry_on, when it may be kept: the trial, paused
  std::optional<std::filesystem::path> log;  // its metrics log, when it keeps one

  // A metric of `judged` (accuracy, balanced_accuracy, r2): kDivergedMetric when the
  // trial failed, or the value is not finite.
  double metric(const std::string& name) const;
};

// The outcome of a run as it stands (TrainingRun::so_far), or as it ended.
TrialOutcome outcome_of(RunResult result, double seconds);
// Drops a trial that is not kept: its paused run, and its log.
void discard(TrialOutcome& outcome);

struct TrialOptions {
  Index epochs = 1;         // each trial's
  bool carry_on = false;    // trials are the configured run, paused after `epochs`
  bool one_thread = false;  // each trial on one thread (RunConfig::threads = 1)
  bool together = false;    // two at a time
  // carry_on: a trial that may be kept writes its metrics log beside this one, as
  // <log>.trial<N>; none without it.
  std::optional<std::filesystem::path> log;
};

class TrialRunner {
 public:
  using Job = std::function<TrialOutcome()>;

  // `data` is config.data as read, for every trial; it must outlive the runner.
  TrialRunner(const Table& data, TrialOptions options);
  ~TrialRunner();  // removes the scratch directory
  TrialRunner(const TrialRunner&) = delete;
  TrialRunner& operator=(const TrialRunner&) = delete;

  // A trial of `config` (its seed included), to run. With carry_on, one that may be
  // kept keeps its paused run and its log (beside TrialOptions::log; `log` is not used);
  // without, a trial logs only where `log` says. A trial that diverges is the worst
  // outcome; bad input throws Error as run_training does.
  Job trial(const RunConfig& config, bool may_be_kept, const std::optional<std::filesystem::path>& log = std::nullopt);
  // Runs jobs two at a time where `together` (the first of each pair on this thread),
  // one after the other otherwise; their outcomes, in the jobs' order. Jobs refer to the
  // runner: they run before it is destroyed. When one throws,
  // the trials that finished are discarded and its exception is rethrown.
  std::vector<TrialOutcome> run(const std::vector<Job>& jobs) const;
  // Data prepared already from the runner's table (the configured run's: prepare_data),
  // for the trials that prepare it alike.
  void share(std::shared_ptr<const PreparedData> prepared);

  const TrialOptions& options() const { return options_; }

 private:
  using Prepared = std::shared_future<std::shared_ptr<const PreparedData>>;
  // The data `config` trains on: prepared by the first trial that asks, which the others
  // asking for it meanwhile wait for. Throws Error as prepare_data does (and again for
  // every trial that asks for the same preparation).
  std::shared_ptr<const PreparedData> prepared(const RunConfig& config);
  // Keeps `ready` for the trials that prepare alike, in place of the seed's earlier one.
  // Requires prepared_mutex_.
  void remember(const RunConfig& config, Prepared ready);

  const Table& data_;
  TrialOptions options_;
  std::mutex prepared_mutex_;
  // The latest preparation of each seed, with a configuration that prepares it: at most
  // one copy of the data per seed stays alive for the runner's sake (the runs hold their own).
  std::vector<std::pair<RunConfig, Prepared>> prepared_;
  std::optional<TemporaryDirectory> scratch_;  // without carry_on: where the trials' --out points
  int started_ = 0;
};

}  // namespace glassnet
