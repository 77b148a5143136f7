#pragma once
// Structural repair by controlled trials. From a run's configuration:
//
//   1. baseline: the run as configured, for trial_epochs, with `spread_seeds` seeds; the
//      first seed's findings are the diagnosis, and the spread of the validation metric
//      over the seeds that learned is the run-to-run noise a fix must beat (a seed that
//      diverged failed, and so did one at chance when another
//      rose above it: neither is a measure of noise);
//   2. candidates: the fixes of the warnings and errors found (diag/fixes.hpp), most
//      severe first, then the standard structural list — ReLU + He initialisation,
//      batch normalisation, residual connections, LeakyReLU, the initialiser matched to
//      the activation, standardisation — each once, those that change something and
//      leave the set-up trainable (train/run.hpp: untrainable) (the
//      list is left out when the only finding is about the data: class imbalance); a
//      lower learning rate is followed by two lower still, a higher one by four higher;
//   3. trials, greedily: each candidate is applied on top of the best configuration so
//      far and trained for trial_epochs from the same seed, hence the same split, data
//      order and initial random stream. It is kept when its validation metric beats the
//      best so far by more than the spread (effect size = gain / spread), is not at the
//      chance level (as chance_level judges it: accuracy and balanced accuracy both
//      within chance's, diag/doctor.hpp: at_chance), and leaves no more warnings and errors than the best
//      so far; a change of task (labels that
//      did not fit it) changes the metric, so it is kept when the labels fit and it
//      leaves no more warnings and errors; kept, the fixes of the warnings and errors
//      its run shows are tried next. A candidate close to the best (ahead of every
//      seed of the best, not by the spread) is run on the other seeds too and judged
//      over them (diag/verdict.hpp). Once a learning-rate step was kept and the
//      next was not, the decades beyond are skipped. A kept configuration has its
//      spread measured again, over as many seeds, before the next fix's verdict and when
//      the budget allows: the noise of a run that learns is not the noise of one that
//      sits at chance.
//
// The trials run as diag/trials.hpp runs them. Where the machine has a core to spare
// (two hardware threads or more, spread_seeds ≥ 2, RunConfig::threads not 1), every
// trial runs on one thread, and with RepairOptions::side_by_side two at a time: the
// seeds the next verdict needs (the baseline's last, a kept fix's spread) beside the
// next fix's trial; otherwise the fix the search tries next should this one not be kept
// (most are not: a fix not kept leaves the best as it was, so that trial is the one the
// search would run), or, where there is none, a fix's next seed (the spread of a kept
// fix, or the confirmation of a close one, asks for it); the seeds that confirm a close
// fix have that next trial beside them too. The trials recorded and their verdicts are
// the same either way.
//
// With RepairOptions::carry_on (train --auto-repair), every trial is the configured run
// itself, paused after trial_epochs (train/run.hpp: TrainingRun), and the best is kept
// paused in RepairReport::best_run, so that the repaired run carries on from where its
// trial stands instead of starting again.
//
// The trials stop when the budget (training epochs over all runs, the baseline's
// included) cannot pay for another, or as RepairOptions::stop_when_healthy says. The
// validation metric is R² for regression, and for classification the accuracy — or the
// balanced accuracy where the configuration weights the classes or the diagnosis shows
// class imbalance, whose fix (class weights) lowers the accuracy on purpose; chance is
// then 1/k, not the most frequent class's share (diag/doctor.hpp: chance_scores). Trials
// write no model, and keep no log (but the diagnosis's, where
// RepairOptions::diagnosis_log says, which names no model file); with carry_on the
// caller finishes best_run, which writes --out, and the trials keep only the logs
// RepairOptions::carry_on names.

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/trials.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet {

struct RepairOptions {
  Index trial_epochs = 0;   // 0: the configuration's epochs
  Index budget = 0;         // training epochs over every run; 0: room for 12 runs
  Index spread_seeds = 3;   // baseline runs that measure the run-to-run spread
  double min_spread = 0.005;  // the spread is never taken below this
  // Stop once the best leaves no warning or error other than overfitting and the
  // doctor's own fixes have been tried (a repair, not a search through the structural
  // list), except that a learning-rate walk goes on while its steps are kept:
  // train --auto-repair.
  bool stop_when_healthy = false;
  // Where the diagnosis (the baseline's first seed) writes its metrics log; none if unset.
  std::optional<std::filesystem::path> diagnosis_log;
  // Whether that log ends with the trials and the best (a "repair" line): not for a
  // diagnosis alone (glassnet doctor without --repair).
  bool log_trials = true;
  // Trials are the configured run (its epochs, schedule, model file, rollbacks as with
  // auto_repair) paused after trial_epochs; the best stays paused in
  // RepairReport::best_run. A trial that may be kept writes its metrics log (when the
  // configuration has one) beside the configuration's, named <log>.trial<N>.
  bool carry_on = false;
  // Two trials at a time where a core is to spare (above).
  bool side_by_side = true;
};

struct Trial {
  enum class Kind { baseline, fix, spread };  // the run as given, a fix tried, a seed for the spread
  Kind kind = Kind::fix;
  std::string change;  // the fix, as the doctor named it; "baseline" for the original run
  RunConfig config;
  Task task = Task::binary;  // as trained (inferred where config.task is not set)
  std::string metric;        // val_metric's name: RepairReport::metric, or its task's after a change of task
  Index epochs = 0;                        // trained (fewer when it stopped early)
  std::vector<std::string> findings_left;  // symptoms of warning or error
  std::vector<Finding> findings;           // all of the run's
  double val_metric = 0.0;
  double seconds = 0.0;
  double effect = 0.0;  // (metric − the best before) / spread
  bool kept = false;

  bool diverged() const { return val_metric <= kDivergedMetric; }
};

struct RepairReport {
  std::string metric;                 // "accuracy", "balanced_accuracy" or "r2" (above)
  std::vector<Finding> findings;      // the baseline's diagnosis
  MonitorSeries diagnosis_series;     // the monitor's series of that run
  std::vector<double> baseline;       // the validation metric of each baseline seed
  double spread = 0.0;                // max − min over them (at least min_spread)
  std::vector<Trial> trials;          // in the order run, the baseline's first seed first
  RunConfig best;                     // with the original epochs
  double best_metric = 0.0;
  Index epochs_used = 0;
  // carry_on: the best trial, paused, and where its metrics log is (none without one).
  // Its trial may have run on one thread: TrainingRun::set_threads before carrying on.
  std::unique_ptr<TrainingRun> best_run;
  std::optional<std::filesystem::path> best_log;
};

// Progress: each trial when it ends.
using TrialHook = std::function<void(const Trial&)>;

// Throws Error for bad input, as run_training does, and for the monitor off (the
// doctor judges the trials from it). A trial that fails counts as the
// worst outcome, with its failure's findings (TrainingFailed). With carry_on, `first`
// may hold the run as configured, already paused after trial_epochs (or ended): it is
// the baseline's first seed, and not trained again. It must be a TrainingRun of
// `config` on config.data as repair() reads it: its prepared rows (TrainingRun::data)
// serve every trial of its seed.
RepairReport repair(const RunConfig& config, const RepairOptions& options = {}, const TrialHook& on_trial = {},
                    std::unique_ptr<TrainingRun> first = nullptr);

// The trial length of train --auto-repair for a run of `epochs`: a quarter, at least 3
// (at most the run).
Index auto_repair_trial_epochs(Index epochs);

// `glassnet train --auto-repair`: trains with rollback repair (RunConfig::auto_repair)
// for the trial length — a quarter of the configured epochs, at least 3 — and judges the
// run there as the end would. Healthy, it carries on to the end, and a warning first
// seen there is the end's finding (trials of that length would replay the healthy start
// it was judged by). When it shows a warning or an error other than overfitting then, or
// fails after its rollbacks, it repairs by trials with carry_on — two seeds for the
// spread, at most 8 trials, stopping as RepairOptions::stop_when_healthy says — the run
// as configured being the baseline's first seed when it is still paused; the best trial
// carries on to the configured epochs and writes the model, its log moved onto the
// configuration's.
// A "repaired" rollback list in the result means a fix was kept. The monitor off is an
// Error, as for repair().
struct RepairedRun {
  RunResult result;                   // of the run whose model was written last
  std::optional<RepairReport> repair;  // when trials were run
  // The rollbacks of the run as configured, when the repaired run followed it (those of
  // the repaired run are in result).
  std::vector<RollbackEvent> first_rollbacks;
};
RepairedRun train_with_repair(const RunConfig& config, const RunHooks& hooks = {}, const TrialHook& on_trial = {});
// The same on config.data as already read (the Python module's arrays).
RepairedRun train_with_repair(const RunConfig& config, const Table& data, const RunHooks& hooks = {},
                              const TrialHook& on_trial = {});

}  // namespace glassnet
