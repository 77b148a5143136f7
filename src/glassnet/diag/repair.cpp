#include "glassnet/diag/repair.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <thread>
#include <utility>

#include "glassnet/core/error.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/diag/fixes.hpp"
#include "glassnet/diag/metrics_log.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/diag/verdict.hpp"

namespace glassnet {
namespace {

constexpr Index kDefaultRuns = 12;  // the budget, in runs, when none is given
// train --auto-repair's defaults: trials of a quarter of the run (at least 3 epochs),
// two seeds for the spread, at most 8 trials.
constexpr Index kMinTrialEpochs = 3;
constexpr Index kAutoSpreadSeeds = 2;
constexpr Index kAutoTrials = 8;

// The fixes tried after the doctor's own, in order.
const std::vector<std::string> kStructuralFixes = {
    "--activation relu --init he", "--norm batch", "--residual", "--activation leaky-relu", "--init auto",
    "drop --no-standardize"};

// A finding that a change of the set-up should cure: a warning or an error, other than
// overfitting (which early stopping, not a structural change, answers).
// (A row number is not, nor a column of dates: the validation rows are numbered by the
// same file and dated alike, so no trial can show the harm either does to new rows.)
bool calls_for_repair(const Finding& f) {
  return f.severity != Severity::info && f.symptom != "overfitting" && f.symptom != "row_number" &&
         f.symptom != "date_column";
}

// A finding about the data alone, which no change of the network answers: the classes'
// balance (its fix, class weights, is the doctor's own).
bool about_the_data(const Finding& f) { return f.symptom == "class_imbalance"; }

// The validation metric that judges a trial of `task` (RepairReport::metric).
std::string metric_name(Task task, bool balanced) {
  return task == Task::regression ? "r2" : balanced ? "balanced_accuracy" : "accuracy";
}

// Whether classes are judged by balanced accuracy: where class weights are asked for,
// or a run shows the class imbalance they answer. (Their fix lowers the accuracy on
// purpose, trading the most frequent class's rows for the rare classes' recall.)
bool judged_by_balance(const RunConfig& config, const std::vector<Finding>& findings) {
  return config.balanced_class_weights || std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
           return f.severity != Severity::info && about_the_data(f);
         });
}

// The fixes the trials tried and did not keep: after them, no longer advice (the trial
// table says what each did).
std::vector<std::string> fixes_not_kept(const RepairReport& report) {
  std::vector<std::string> out;
  for (const Trial& t : report.trials) {
    if (t.kind == Trial::Kind::fix && !t.kept) out.push_back(t.change);
  }
  return out;
}

std::vector<std::string> severe_symptoms(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    if (f.severity != Severity::info) out.push_back(f.symptom);
  }
  return out;
}

// The search of repair() over config.data as read once, and its state between trials.
// `prepared`: the data the configured run trained on, when it ran already (with `first`,
// or before it ended), for the trials that prepare it alike.
class Search {
 public:
  Search(const Table& data, const RunConfig& config, const RepairOptions& options, const TrialHook& on_trial,
         std::unique_ptr<TrainingRun> first, std::shared_ptr<const PreparedData> prepared = nullptr);
  // An exception leaves the best trial's paused run and its log behind: they go.
  ~Search() {
    discard(best_trial_);
    if (ahead_) discard(ahead_->outcome);
  }
  Search(const Search&) = delete;
  Search& operator=(const Search&) = delete;

  RepairReport run();

 private:
  using Job = TrialRunner::Job;
  // Seeds the search needs before its next verdict, recorded before the next fix's
  // trial and run beside it: the baseline's last seed, or a kept fix's other seeds (the
  // spread of the new best; the first may be `ready`, run beside the fix's own trial).
  struct Pending {
    RunConfig base;
    Index from = 0, count = 0;
    Trial::Kind kind = Trial::Kind::spread;
    std::string change;
    std::optional<TrialOutcome> ready;
  };
  // The trial of candidates_[index] on top of the best, run beside the fix before it:
  // the trial the search runs next should that fix not be kept.
  struct Ahead {
    std::size_t index = 0;
    RunConfig config;
    TrialOutcome outcome;
  };

  // A seed's run: its metric, and whether it learned — it did not diverge, and is not at
  // chance (at_chance below).
  struct SeedRun {
    double metric = 0.0;
    bool learned = true;
  };
  static std::vector<double> metrics_of(const std::vector<SeedRun>& runs);

  void record(Trial trial);
  RunConfig seeded(const RunConfig& base, Index k) const;
  // The trial of seed k of `base`: for the baseline's seed 0, the run as configured when
  // the caller gave it (carry_on: already trained this far).
  Job seed_job(const RunConfig& base, Index k, Trial::Kind kind);
  // Records the outcomes of seeds from, from + 1, … of `base`; their runs.
  std::vector<SeedRun> record_seeds(const RunConfig& base, Index from, Trial::Kind kind, const std::string& change,
                                    std::vector<TrialOutcome> outcomes);
  // The end of the seeds from … count − 1 that may run: spread runs only as far as the
  // budget pays for them.
  Index seeds_paid(Index from, Index count, Trial::Kind kind) const;
  // Runs a configuration with seeds config.seed + from … config.seed + count − 1, records
  // them, and returns their runs. `ready` is seed `from`, already run. `beside`, when it
  // holds a trial to run ahead, runs beside the seeds where two run at a time and one
  // runs at all, its outcome in it (and is emptied otherwise).
  std::vector<SeedRun> seeded_runs(const RunConfig& base, Index from, Index count, Trial::Kind kind,
                                   const std::string& change, std::optional<TrialOutcome> ready = std::nullopt,
                                   std::optional<Ahead>* beside = nullptr);
  // The spread of the runs that learned. A run that diverged failed, and says nothing
  // of the noise; so does one at chance when another seed rose above it (when every
  // seed is at chance, their spread is the noise of chance).
  double spread_of(const std::vector<SeedRun>& runs) const;
  // Classification: whether a run is at chance as the doctor judges it (diag/doctor.hpp:
  // at_chance), on both its accuracy and its balanced accuracy, whichever metric the
  // search judges by — a run at the majority's accuracy whose balanced accuracy rose
  // has learned.
  bool at_chance(const TrialOutcome& outcome) const;
  // A seed's run of `outcome`, judged by `metric` (its value of the search's metric).
  SeedRun seed_run(const TrialOutcome& outcome, double metric) const {
    return {.metric = metric, .learned = metric > kDivergedMetric && !at_chance(outcome)};
  }
  // The best so far, paused (carry_on), and its log.
  void keep(TrialOutcome& outcome);
  std::vector<Job> pending_jobs();
  // Records the pending seeds' outcomes and takes their noise into the spread.
  void settle(std::vector<TrialOutcome> outcomes);
  // The doctor's fixes for what the baseline showed, then the structural list.
  void choose_candidates();
  // With stop_when_healthy the search ends once the best is healthy and the doctor's own
  // fixes have been tried, except that a learning-rate walk goes on while its steps help.
  bool done(std::size_t next) const;
  // After a kept change of task, whose run shows what the diagnosis under the old task
  // could not (class imbalance under a regression): the fixes of `findings`' warnings
  // and errors not tried yet become the candidates after candidates_[i].
  void try_next(std::size_t i, const std::vector<Finding>& findings);
  // The candidate the search tries after candidates_[i] should that not be kept (done,
  // the learning-rate walk and the fixes that change nothing skipped as they would be),
  // on top of the best; none when the search would end.
  std::optional<Ahead> next_if_not_kept(std::size_t i) const;
  // Tries candidates_[i] on top of the best; false when the search ends with it.
  bool try_fix(std::size_t i);

  const RunConfig& config_;
  const RepairOptions& options_;
  const TrialHook& on_trial_;
  std::unique_ptr<TrainingRun> first_;
  const Index epochs_;  // of a trial
  const Index budget_;
  const Index seeds_;
  RunConfig trial_config_;
  TrialRunner runner_;
  RepairReport report_;
  std::vector<std::string> candidates_;
  std::size_t doctors_fixes_ = 0;  // the first candidates, the doctor's own
  TrialOutcome best_trial_;
  RunConfig best_;
  double best_metric_ = 0.0;
  std::vector<SeedRun> best_runs_;      // the best's over its seeds
  std::vector<SeedRun> baseline_runs_;  // the baseline's (report_.baseline, with whether each learned)
  std::size_t best_severe_ = 0;
  bool healthy_ = false;     // the best leaves nothing that calls for repair
  bool walking_lr_ = false;  // the last trial was a learning-rate step, and kept
  bool walk_over_ = false;   // a kept learning-rate step was followed by one that did not help
  std::optional<Pending> pending_;
  std::optional<Ahead> ahead_;         // run already, while the best has not changed
  std::optional<ClassScores> chance_;  // classification: what chance scores on the diagnosis's rows
  bool balanced_ = false;              // classification is judged by balanced accuracy
};

bool learning_rate_step(const std::string& fix) { return fix.rfind("--lr ", 0) == 0; }

// Trials run on one thread each wherever two can run at a time — whether or not they do
// (RepairOptions::side_by_side) — so that either way they give the same bits.
TrialOptions trial_options(const RunConfig& config, const RepairOptions& options, Index epochs, Index seeds) {
  const bool core_to_spare = seeds >= 2 && config.threads != 1 && std::thread::hardware_concurrency() >= 2;
  return {.epochs = epochs,
          .carry_on = options.carry_on,
          .one_thread = core_to_spare,
          .together = core_to_spare && options.side_by_side,
          .log = config.log};
}

Search::Search(const Table& data, const RunConfig& config, const RepairOptions& options, const TrialHook& on_trial,
               std::unique_ptr<TrainingRun> first, std::shared_ptr<const PreparedData> prepared)
    : config_(config),
      options_(options),
      on_trial_(on_trial),
      first_(std::move(first)),
      epochs_(options.trial_epochs > 0 ? options.trial_epochs : config.epochs),
      budget_(options.budget > 0 ? options.budget : kDefaultRuns * epochs_),
      seeds_(std::max<Index>(options.spread_seeds, 1)),
      trial_config_(config),
      runner_(data, trial_options(config, options, epochs_, seeds_)) {
  if (!options.carry_on) trial_config_.epochs = epochs_;
  if (first_) prepared = first_->data();
  if (prepared) runner_.share(std::move(prepared));
}

void Search::record(Trial trial) {
  report_.epochs_used += epochs_;
  if (on_trial_) on_trial_(trial);
  report_.trials.push_back(std::move(trial));
}

RunConfig Search::seeded(const RunConfig& base, Index k) const {
  RunConfig c = base;
  c.seed = config_.seed + static_cast<std::uint64_t>(k);
  return c;
}

Search::Job Search::seed_job(const RunConfig& base, Index k, Trial::Kind kind) {
  const bool diagnosis = kind == Trial::Kind::baseline && k == 0;
  if (diagnosis && first_) {
    return [this] {
      double seconds = 0.0;
      RunResult look = first_->so_far();
      for (const EpochLogs& e : look.history) seconds += e.seconds;
      TrialOutcome o = outcome_of(std::move(look), seconds);
      o.run = std::move(first_);
      return o;
    };
  }
  return runner_.trial(seeded(base, k), diagnosis, diagnosis ? options_.diagnosis_log : std::nullopt);
}

std::vector<double> Search::metrics_of(const std::vector<SeedRun>& runs) {
  std::vector<double> metrics;
  for (const SeedRun& r : runs) metrics.push_back(r.metric);
  return metrics;
}

std::vector<Search::SeedRun> Search::record_seeds(const RunConfig& base, Index from, Trial::Kind kind,
                                                  const std::string& change, std::vector<TrialOutcome> outcomes) {
  std::vector<SeedRun> runs;
  for (std::size_t j = 0; j < outcomes.size(); ++j) {
    TrialOutcome& o = outcomes[j];
    const Index k = from + static_cast<Index>(j);
    const RunConfig c = seeded(base, k);
    if (kind == Trial::Kind::baseline && k == 0) {  // the diagnosis
      report_.diagnosis_series = std::move(o.series);
      report_.findings = o.findings;
      balanced_ = judged_by_balance(config_, o.findings);
      report_.metric = metric_name(o.task, balanced_);
      keep(o);
    }
    if (!chance_) chance_ = o.chance;  // (a run that diverged has none)
    const double metric = o.metric(metric_name(o.task, balanced_));
    runs.push_back(seed_run(o, metric));
    record({.kind = kind,
            .change = k == 0 ? change : fmt::format("{}, seed {}", change, c.seed),
            .config = c,
            .task = o.task,
            .metric = metric_name(o.task, balanced_),
            .epochs = o.epochs,
            .findings_left = severe_symptoms(o.findings),
            .findings = o.findings,
            .val_metric = metric,
            .seconds = o.seconds});
  }
  return runs;
}

Index Search::seeds_paid(Index from, Index count, Trial::Kind kind) const {
  if (kind != Trial::Kind::spread) return count;
  return std::min(count, from + std::max<Index>(0, (budget_ - report_.epochs_used) / epochs_));
}

std::vector<Search::SeedRun> Search::seeded_runs(const RunConfig& base, Index from, Index count, Trial::Kind kind,
                                                 const std::string& change, std::optional<TrialOutcome> ready,
                                                 std::optional<Ahead>* beside) {
  count = seeds_paid(from, count, kind);
  std::vector<Job> jobs;
  for (Index k = ready ? from + 1 : from; k < count; ++k) jobs.push_back(seed_job(base, k, kind));
  const bool ahead = beside != nullptr && beside->has_value() && !jobs.empty() && runner_.options().together;
  if (ahead) jobs.push_back(runner_.trial((*beside)->config, true));
  std::vector<TrialOutcome> ran = runner_.run(jobs);
  if (ahead) {
    (*beside)->outcome = std::move(ran.back());
    ran.pop_back();
  } else if (beside != nullptr) {
    beside->reset();
  }
  std::vector<TrialOutcome> outcomes;
  if (ready && from < count) outcomes.push_back(std::move(*ready));
  for (TrialOutcome& o : ran) outcomes.push_back(std::move(o));
  return record_seeds(base, from, kind, change, std::move(outcomes));
}

bool Search::at_chance(const TrialOutcome& outcome) const {
  if (!chance_ || report_.metric == "r2") return false;
  return glassnet::at_chance(
      {.accuracy = outcome.metric("accuracy"), .balanced_accuracy = outcome.metric("balanced_accuracy")}, *chance_);
}

double Search::spread_of(const std::vector<SeedRun>& seed_runs) const {
  std::vector<double> finished, learned;
  for (const SeedRun& r : seed_runs) {
    if (r.metric <= kDivergedMetric) continue;
    finished.push_back(r.metric);
    if (r.learned) learned.push_back(r.metric);
  }
  const std::vector<double>& runs = learned.empty() ? finished : learned;
  if (runs.size() < 2) return options_.min_spread;
  const auto [lo, hi] = std::minmax_element(runs.begin(), runs.end());
  return std::max(*hi - *lo, options_.min_spread);
}

void Search::keep(TrialOutcome& outcome) {
  discard(best_trial_);
  best_trial_.run = std::move(outcome.run);
  best_trial_.log = std::move(outcome.log);
  outcome.log.reset();
}

std::vector<Search::Job> Search::pending_jobs() {
  std::vector<Job> jobs;
  for (Index k = pending_->ready ? pending_->from + 1 : pending_->from; k < pending_->count; ++k) {
    jobs.push_back(seed_job(pending_->base, k, pending_->kind));
  }
  return jobs;
}

void Search::settle(std::vector<TrialOutcome> outcomes) {
  Pending p = std::move(*pending_);
  pending_.reset();
  if (p.ready && p.from < p.count) outcomes.insert(outcomes.begin(), std::move(*p.ready));
  const std::vector<SeedRun> runs = record_seeds(p.base, p.from, p.kind, p.change, std::move(outcomes));
  if (p.kind == Trial::Kind::baseline) {
    baseline_runs_.insert(baseline_runs_.end(), runs.begin(), runs.end());
    report_.baseline = metrics_of(baseline_runs_);
    report_.spread = spread_of(baseline_runs_);
  }
  best_runs_.insert(best_runs_.end(), runs.begin(), runs.end());
  if (p.kind != Trial::Kind::baseline && best_runs_.size() >= 2) report_.spread = spread_of(best_runs_);
}

void Search::choose_candidates() {
  const auto add_one = [&](const std::string& fix) {
    if (std::find(candidates_.begin(), candidates_.end(), fix) == candidates_.end()) candidates_.push_back(fix);
  };
  // A lower learning rate is followed by two lower still, a higher one by four higher
  // still: a trial that does not help is not kept, so the next starts again from the
  // best, and the greedy search walks the decades until one helps.
  const auto add = [&](const std::string& fix) {
    add_one(fix);
    double lr = 0.0;
    if (std::sscanf(fix.c_str(), "--lr %lf", &lr) != 1) return;
    const bool lower = lr < config_.learning_rate;
    double next = lr;
    for (int k = 0; k < (lower ? 2 : 4); ++k) {
      next = lower ? next / 10 : next * 10;
      add_one(fmt::format("--lr {:g}", next));
    }
  };
  for (const Finding& f : report_.findings) {
    if (f.severity == Severity::info) continue;
    for (const std::string& fix : f.fixes) add(fix);
  }
  doctors_fixes_ = candidates_.size();
  if (std::any_of(report_.findings.begin(), report_.findings.end(),
                  [](const Finding& f) { return calls_for_repair(f) && !about_the_data(f); })) {
    for (const std::string& fix : kStructuralFixes) add(fix);
  }
}

bool Search::done(std::size_t next) const {
  if (next >= candidates_.size()) return true;
  if (!options_.stop_when_healthy || !healthy_) return false;
  if (walking_lr_ && learning_rate_step(candidates_[next])) return false;
  return next >= doctors_fixes_;
}

void Search::try_next(std::size_t i, const std::vector<Finding>& findings) {
  std::vector<std::string> shown;
  for (const Finding& f : findings) {
    if (f.severity == Severity::info) continue;
    for (const std::string& fix : f.fixes) {
      if (std::find(candidates_.begin(), candidates_.end(), fix) == candidates_.end() &&
          std::find(shown.begin(), shown.end(), fix) == shown.end())
        shown.push_back(fix);
    }
  }
  candidates_.insert(candidates_.begin() + static_cast<std::ptrdiff_t>(i) + 1, shown.begin(), shown.end());
  if (i < doctors_fixes_) doctors_fixes_ += shown.size();  // (the doctor's own, as the first were)
}

std::optional<Search::Ahead> Search::next_if_not_kept(std::size_t i) const {
  // (try_fix's state after a trial not kept: no learning-rate walk goes on)
  const bool walk_over = walk_over_ || (walking_lr_ && learning_rate_step(candidates_[i]));
  for (std::size_t j = i + 1; j < candidates_.size(); ++j) {
    if (options_.stop_when_healthy && healthy_ && j >= doctors_fixes_) return std::nullopt;  // done(j)
    if (walk_over && learning_rate_step(candidates_[j])) continue;
    RunConfig next = best_;
    if (!apply_fix(next, candidates_[j]) || untrainable(next)) continue;
    return Ahead{.index = j, .config = std::move(next), .outcome = {}};
  }
  return std::nullopt;
}

bool Search::try_fix(std::size_t i) {
  const std::string fix = candidates_[i];                  // (a copy: a change of task adds candidates)
  if (walk_over_ && learning_rate_step(fix)) return true;  // the decades beyond no longer help
  RunConfig candidate = best_;
  if (!apply_fix(candidate, fix) || untrainable(candidate)) return true;
  // The pending seeds the budget pays for (the baseline's always), then this fix's trial
  // when the budget still pays for it; a spread no verdict will use is not run.
  if (pending_) pending_->count = seeds_paid(pending_->from, pending_->count, pending_->kind);
  const Index pending_runs = pending_ ? pending_->count - pending_->from : 0;
  // This fix's trial, when it did not run beside the one before (ahead_).
  std::optional<TrialOutcome> ran;
  if (ahead_) {
    if (ahead_->index == i) {
      ran = std::move(ahead_->outcome);
    } else {
      discard(ahead_->outcome);
    }
    ahead_.reset();
  }
  if (report_.epochs_used + (pending_runs + 1) * epochs_ > budget_) {
    if (ran) discard(*ran);
    return false;
  }
  // The fix's trial, and beside it the pending seeds still to run or, where a core is
  // free and none are, the trial the search runs next should this fix not be kept (most
  // are not) — or, where there is none, the fix's next seed: a fix that is kept, or close
  // enough to be confirmed, asks for it.
  std::vector<Job> jobs;
  if (!ran) jobs.push_back(runner_.trial(candidate, true));
  const std::size_t first_pending = jobs.size();  // the pending seeds' place among the jobs
  if (pending_) {
    for (Job& job : pending_jobs()) jobs.push_back(std::move(job));
  }
  const auto pending_to_run = static_cast<Index>(jobs.size() - first_pending);
  const bool speculate = !ran && pending_to_run == 0 && seeds_ >= 2 && runner_.options().together &&
                         report_.epochs_used + (pending_runs + 2) * epochs_ <= budget_;
  std::optional<Ahead> ahead = speculate ? next_if_not_kept(i) : std::nullopt;
  if (ahead) {
    jobs.push_back(runner_.trial(ahead->config, true));
  } else if (speculate) {
    jobs.push_back(runner_.trial(seeded(candidate, 1), false));
  }
  std::vector<TrialOutcome> outcomes = runner_.run(jobs);
  TrialOutcome o = ran ? std::move(*ran) : std::move(outcomes.front());
  // A change of task (labels that did not fit it) is judged by its own task's metric,
  // chosen as the diagnosis chooses it.
  const bool task_changed = candidate.task != best_.task;
  const bool balanced = task_changed ? judged_by_balance(candidate, o.findings) : balanced_;
  const std::string name = metric_name(o.task, balanced);
  const double metric = o.metric(name);
  // (Where every seed of the baseline diverged, the first trial that did not tells what chance scores.)
  if (!chance_ && !task_changed) chance_ = o.chance;
  std::optional<TrialOutcome> next_seed;
  if (ahead) {
    ahead->outcome = std::move(outcomes.back());
  } else if (speculate) {
    next_seed = std::move(outcomes.back());
  }
  if (pending_) {
    const auto from = outcomes.begin() + static_cast<std::ptrdiff_t>(first_pending);
    settle(std::vector<TrialOutcome>(std::make_move_iterator(from), std::make_move_iterator(from + pending_to_run)));
  }
  Trial trial{.kind = Trial::Kind::fix,
              .change = fix,
              .config = candidate,
              .task = o.task,
              .metric = name,
              .epochs = o.epochs,
              .findings_left = severe_symptoms(o.findings),
              .findings = o.findings,
              .val_metric = metric,
              .seconds = o.seconds,
              .effect = metric > kDivergedMetric && best_metric_ > kDivergedMetric
                            ? (metric - best_metric_) / report_.spread
                            : 0.0};
  // Accuracy and R² do not compare: a change of task is kept when the labels fit and it
  // leaves no more warnings and errors.
  const bool labels_fit = std::find(trial.findings_left.begin(), trial.findings_left.end(), "label_mismatch") ==
                          trial.findings_left.end();
  // A fix that leaves the run at chance has not repaired it, whatever the noise.
  trial.kept = task_changed ? !trial.diverged() && labels_fit && trial.findings_left.size() <= best_severe_
                            : metric - best_metric_ > report_.spread && !at_chance(o) &&
                                  trial.findings_left.size() <= best_severe_;
  if (task_changed) trial.effect = 0.0;
  // A candidate close to the best is run on the other seeds too, and judged over them
  // (diag/verdict.hpp).
  const SeedVerdict verdict{.spread = report_.spread, .min_spread = options_.min_spread};
  const bool confirm = !trial.kept && !task_changed && seeds_ >= 2 &&
                       worth_confirming(metric, metrics_of(best_runs_)) && !at_chance(o) &&
                       trial.findings_left.size() <= best_severe_;
  std::vector<SeedRun> candidate_runs{seed_run(o, metric)};
  if (confirm) {
    // The trial the search runs next should this fix not be kept runs beside its seeds,
    // where it did not beside its trial and the budget pays for it after them.
    if (!ahead && report_.epochs_used + (seeds_ + 1) * epochs_ <= budget_) ahead = next_if_not_kept(i);
    // (The other seeds' rows come before the candidate's, which carries the verdict.)
    for (const SeedRun& r :
         seeded_runs(candidate, 1, seeds_, Trial::Kind::spread, fix, std::exchange(next_seed, {}), &ahead)) {
      candidate_runs.push_back(r);
    }
    trial.kept = candidate_runs.size() == static_cast<std::size_t>(seeds_) &&
                 beats_over_seeds(metrics_of(candidate_runs), metrics_of(best_runs_), verdict);
  }
  const bool kept = trial.kept;
  record(std::move(trial));
  walk_over_ = walk_over_ || (walking_lr_ && !kept && learning_rate_step(fix));
  walking_lr_ = kept && learning_rate_step(fix);
  if (!kept) {
    discard(o);
    ahead_ = std::move(ahead);  // the best is as it was: the next trial has run
    return true;
  }
  if (ahead) discard(ahead->outcome);
  keep(o);
  best_ = candidate;
  best_metric_ = metric;
  best_severe_ = severe_symptoms(o.findings).size();
  healthy_ = std::none_of(o.findings.begin(), o.findings.end(), calls_for_repair);
  if (task_changed) {
    balanced_ = balanced;
    report_.metric = name;
    chance_ = o.chance;
    candidate_runs.front() = seed_run(o, metric);  // by the new task's chance
    try_next(i, o.findings);
  }
  best_runs_ = candidate_runs;
  if (candidate_runs.size() >= 2) {
    report_.spread = spread_of(best_runs_);
  } else if (seeds_ >= 2) {
    // The noise of the new best, over its other seeds, recorded before the next fix's
    // trial (the first of them may have run beside this one's already).
    pending_ = Pending{best_, 1, seeds_, Trial::Kind::spread, "spread of the best", std::exchange(next_seed, {})};
  }
  return true;
}

RepairReport Search::run() {
  // 1. The baseline, over seeds: the first seed's findings choose the candidates, and the
  //    last seed runs beside the first candidate's trial.
  baseline_runs_ = seeded_runs(trial_config_, 0, seeds_ >= 2 ? seeds_ - 1 : seeds_, Trial::Kind::baseline, "baseline");
  report_.baseline = metrics_of(baseline_runs_);
  report_.spread = spread_of(baseline_runs_);
  if (seeds_ >= 2) pending_ = Pending{trial_config_, seeds_ - 1, seeds_, Trial::Kind::baseline, "baseline", {}};
  // 2. Candidates.
  choose_candidates();
  // 3. Greedy trials from the same seed.
  best_ = trial_config_;
  best_metric_ = report_.baseline.front();
  best_runs_ = baseline_runs_;
  best_severe_ = severe_symptoms(report_.findings).size();
  for (std::size_t i = 0; !done(i) && try_fix(i); ++i) {
  }
  if (ahead_) {  // the search ended before it
    discard(ahead_->outcome);
    ahead_.reset();
  }
  // The baseline's seeds are all in the report; a spread no verdict will use is not run.
  if (pending_ && pending_->kind == Trial::Kind::baseline) settle(runner_.run(pending_jobs()));
  report_.best = best_;
  report_.best.epochs = config_.epochs;
  report_.best.seed = config_.seed;
  report_.best_metric = best_metric_;
  report_.best_run = std::move(best_trial_.run);
  report_.best_log = std::exchange(best_trial_.log, {});
  return std::move(report_);
}
// The trials are judged by the doctor, which reads the monitor.
void require_monitor(const RunConfig& config, const char* who) {
  if (config.monitor == MonitorLevel::off)
    throw Error(fmt::format("{} needs the monitor: --monitor light or full", who));
}

}  // namespace

RepairReport repair(const RunConfig& config, const RepairOptions& options, const TrialHook& on_trial,
                    std::unique_ptr<TrainingRun> first) {
  require_monitor(config, "the doctor");
  const Table data = read_data(config.data, config.labels, config.delimiter);
  RepairReport report = Search(data, config, options, on_trial, std::move(first)).run();
  if (options.diagnosis_log && options.log_trials) append_repair(*options.diagnosis_log, repair_json(report));
  return report;
}

Index auto_repair_trial_epochs(Index epochs) { return std::min(epochs, std::max<Index>(kMinTrialEpochs, epochs / 4)); }

RepairedRun train_with_repair(const RunConfig& config, const RunHooks& hooks, const TrialHook& on_trial) {
  return train_with_repair(config, read_data(config.data, config.labels, config.delimiter), hooks, on_trial);
}

RepairedRun train_with_repair(const RunConfig& config, const Table& data, const RunHooks& hooks,
                              const TrialHook& on_trial) {
  require_monitor(config, "--auto-repair");
  RunConfig first = config;
  first.auto_repair = true;
  const Index trial_epochs = auto_repair_trial_epochs(config.epochs);
  RepairOptions trials{.trial_epochs = trial_epochs,
                       .spread_seeds = kAutoSpreadSeeds,
                       .stop_when_healthy = true,
                       .carry_on = true};
  trials.budget = kAutoTrials * trials.trial_epochs;
  RepairedRun out;
  std::vector<RollbackEvent> first_rollbacks;
  RunHooks first_hooks = hooks;
  first_hooks.on_rollback = [&](const RollbackEvent& e) {
    first_rollbacks.push_back(e);
    if (hooks.on_rollback) hooks.on_rollback(e);
  };
  // The run as configured, judged after the trials' length: healthy, it carries on to
  // its end. (A warning first seen there stays the end's finding, with its advice: the
  // trials, as long as that look, would replay the healthy start it judged.)
  auto run = std::make_unique<TrainingRun>(first, data, first_hooks);
  const std::shared_ptr<const PreparedData> prepared = run->data();  // for the trials of its seed
  std::exception_ptr failure;
  try {
    run->train_to(trial_epochs);
    const RunResult look = run->so_far();
    if (std::none_of(look.findings.begin(), look.findings.end(), calls_for_repair)) {
      out.result = run->finish();
      return out;
    }
  } catch (const TrainingError&) {  // the rollbacks did not cure it: the set-up has to change
    failure = std::current_exception();
    run.reset();
  }
  out.repair = Search(data, config, trials, on_trial, std::move(run), prepared).run();
  RepairReport& report = *out.repair;
  const bool changed = std::any_of(report.trials.begin(), report.trials.end(), [](const Trial& t) { return t.kept; });
  nlohmann::json logged = repair_json(report);
  if (!changed && failure) {
    // The run as configured failed, and no trial beat it: its log ends with the trials.
    if (config.log) append_repair(*config.log, logged);
    try {
      std::rethrow_exception(failure);
    } catch (const TrainingFailed& e) {
      std::vector<Finding> findings = e.findings();
      leave_out_fixes(findings, fixes_not_kept(report));
      throw TrainingFailed(e.what(), std::move(findings), e.series());
    }
  }
  // The best trial carries on, reporting to the caller from now on, its log under the
  // configured name and holding the trials (and the rollbacks of the run it replaces).
  report.best_run->set_hooks(hooks);
  report.best_run->set_threads(config.threads);  // its trial may have run side by side, on one thread
  if (report.best_log && config.log) report.best_run->move_log(*config.log);
  if (config.checkpoint_dir) report.best_run->write_checkpoints(*config.checkpoint_dir);
  if (changed) {
    logged["rollbacks"] = nlohmann::json::array();
    for (const RollbackEvent& e : first_rollbacks) logged["rollbacks"].push_back(rollback_json(e));
    out.first_rollbacks = std::move(first_rollbacks);
  }
  report.best_run->log_repair(logged);
  report.best_run->end_when_rollbacks_fail();  // no fix is left to try
  report.best_run->leave_out_fixes(fixes_not_kept(report));
  out.result = report.best_run->finish();
  return out;
}

}  // namespace glassnet
