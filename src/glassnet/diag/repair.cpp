#include "glassnet/diag/repair.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <thread>

#include "glassnet/core/error.hpp"
#include "glassnet/data/read_data.hpp"
#include "glassnet/diag/fixes.hpp"

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
bool calls_for_repair(const Finding& f) { return f.severity != Severity::info && f.symptom != "overfitting"; }

// A finding about the data alone, which no change of the network answers: the classes'
// balance (its fix, class weights, is the doctor's own).
bool about_the_data(const Finding& f) { return f.symptom == "class_imbalance"; }

std::vector<std::string> severe_symptoms(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const Finding& f : findings) {
    if (f.severity != Severity::info) out.push_back(f.symptom);
  }
  return out;
}

// repair, on config.data as read once.
RepairReport repair_on(const Table& data, const RunConfig& config, const RepairOptions& options,
                       const TrialHook& on_trial, std::unique_ptr<TrainingRun> first) {
  const Index epochs = options.trial_epochs > 0 ? options.trial_epochs : config.epochs;
  const Index budget = options.budget > 0 ? options.budget : kDefaultRuns * epochs;
  RunConfig trial_config = config;
  if (!options.carry_on) trial_config.epochs = epochs;

  RepairReport report;
  const auto record = [&](Trial trial) {
    report.epochs_used += epochs;
    if (on_trial) on_trial(trial);
    report.trials.push_back(std::move(trial));
  };
  // Two trials at a time, the second on another thread, where a core is free for it.
  const Index seeds = std::max<Index>(options.spread_seeds, 1);
  TrialRunner runner(data, {.epochs = epochs,
                            .carry_on = options.carry_on,
                            .together = options.side_by_side && seeds >= 2 && config.threads != 1 &&
                                        std::thread::hardware_concurrency() >= 2,
                            .log = config.log});
  // The best so far, paused (carry_on), and its log.
  TrialOutcome best_trial;
  const auto keep = [&](TrialOutcome& o) {
    discard(best_trial);
    best_trial.run = std::move(o.run);
    best_trial.log = std::move(o.log);
  };
  const auto seeded = [&](const RunConfig& base, Index k) {
    RunConfig c = base;
    c.seed = config.seed + static_cast<std::uint64_t>(k);
    return c;
  };
  // The trial of seed k of `base`: for the baseline's seed 0, the run as configured
  // when the caller gave it (carry_on: already trained this far).
  const auto seed_job = [&](const RunConfig& base, Index k, Trial::Kind kind) -> TrialRunner::Job {
    const bool diagnosis = kind == Trial::Kind::baseline && k == 0;
    if (diagnosis && first) {
      return [&] {
        double seconds = 0.0;
        RunResult look = first->so_far();
        for (const EpochLogs& e : look.history) seconds += e.seconds;
        TrialOutcome o = outcome_of(std::move(look), seconds);
        o.run = std::move(first);
        return o;
      };
    }
    return runner.trial(seeded(base, k), diagnosis, diagnosis ? options.diagnosis_log : std::nullopt);
  };
  // Records the outcomes of seeds from, from + 1, … of `base` and returns their metrics.
  const auto record_seeds = [&](const RunConfig& base, Index from, Trial::Kind kind, const std::string& change,
                                std::vector<TrialOutcome> outcomes) {
    std::vector<double> metrics;
    for (std::size_t j = 0; j < outcomes.size(); ++j) {
      TrialOutcome& o = outcomes[j];
      const Index k = from + static_cast<Index>(j);
      const RunConfig c = seeded(base, k);
      if (kind == Trial::Kind::baseline && k == 0) {  // the diagnosis
        report.diagnosis_series = std::move(o.series);
        report.findings = o.findings;
        report.metric = o.task == Task::regression ? "r2" : "accuracy";
        keep(o);
      }
      metrics.push_back(o.metric);
      record({.kind = kind,
              .change = k == 0 ? change : fmt::format("{}, seed {}", change, c.seed),
              .config = c,
              .epochs = o.epochs,
              .findings_left = severe_symptoms(o.findings),
              .findings = o.findings,
              .val_metric = o.metric,
              .seconds = o.seconds});
    }
    return metrics;
  };
  // The seeds from … count − 1 that may run: spread runs only as far as the budget pays,
  // after `reserved` more runs.
  const auto seeds_paid = [&](Index from, Index count, Trial::Kind kind, Index reserved = 0) {
    if (kind != Trial::Kind::spread) return count;
    const Index room = std::max<Index>(0, (budget - report.epochs_used) / epochs - reserved);
    return std::min(count, from + room);
  };
  // Runs a configuration with seeds config.seed + from … config.seed + count − 1, records
  // them, and returns their metrics. `ready` is seed `from`, already run beside a fix's
  // trial.
  const auto seeded_runs = [&](const RunConfig& base, Index from, Index count, Trial::Kind kind,
                               const std::string& change, std::optional<TrialOutcome> ready = std::nullopt) {
    count = seeds_paid(from, count, kind);
    std::vector<TrialRunner::Job> jobs;
    for (Index k = ready ? from + 1 : from; k < count; ++k) jobs.push_back(seed_job(base, k, kind));
    std::vector<TrialOutcome> outcomes;
    if (ready && from < count) outcomes.push_back(std::move(*ready));
    for (TrialOutcome& o : runner.run(jobs)) outcomes.push_back(std::move(o));
    return record_seeds(base, from, kind, change, std::move(outcomes));
  };
  // The spread of the runs that finished (a diverged run says nothing of the noise).
  const auto spread_of = [&](const std::vector<double>& metrics) {
    std::vector<double> finished;
    for (double m : metrics) {
      if (m > kDivergedMetric) finished.push_back(m);
    }
    if (finished.size() < 2) return options.min_spread;
    const auto [lo, hi] = std::minmax_element(finished.begin(), finished.end());
    return std::max(*hi - *lo, options.min_spread);
  };

  // 1. The baseline, over seeds: the first seed's findings choose the candidates, and the
  //    last seed runs beside the first candidate's trial (below).
  const Index baseline_now = seeds >= 2 ? seeds - 1 : seeds;
  report.baseline = seeded_runs(trial_config, 0, baseline_now, Trial::Kind::baseline, "baseline");
  report.spread = spread_of(report.baseline);

  // 2. Candidates: the doctor's fixes for what it found, then the structural list.
  std::vector<std::string> candidates;
  const auto add_one = [&](const std::string& fix) {
    if (std::find(candidates.begin(), candidates.end(), fix) == candidates.end()) candidates.push_back(fix);
  };
  // A lower learning rate is followed by two lower still, a higher one by four higher
  // still: a trial that does not help is not kept, so the next starts again from the
  // best, and the greedy search walks the decades until one helps.
  const auto add = [&](const std::string& fix) {
    add_one(fix);
    double lr = 0.0;
    if (std::sscanf(fix.c_str(), "--lr %lf", &lr) != 1) return;
    const bool lower = lr < config.learning_rate;
    double next = lr;
    for (int k = 0; k < (lower ? 2 : 4); ++k) {
      next = lower ? next / 10 : next * 10;
      add_one(fmt::format("--lr {:g}", next));
    }
  };
  for (const Finding& f : report.findings) {
    if (f.severity == Severity::info) continue;
    for (const std::string& fix : f.fixes) add(fix);
  }
  const std::size_t doctors_fixes = candidates.size();
  if (std::any_of(report.findings.begin(), report.findings.end(),
                  [](const Finding& f) { return f.severity != Severity::info && !about_the_data(f); })) {
    for (const std::string& fix : kStructuralFixes) add(fix);
  }

  // 3. Greedy trials from the same seed.
  RunConfig best = trial_config;
  double best_metric = report.baseline.front();
  std::vector<double> best_runs = report.baseline;  // the best's metric over its seeds
  std::size_t best_severe = severe_symptoms(report.findings).size();
  const auto learning_rate_step = [](const std::string& fix) { return fix.rfind("--lr ", 0) == 0; };
  bool healthy = false;     // the best leaves nothing that calls for repair
  bool walking_lr = false;  // the last trial was a learning-rate step, and kept
  bool walk_over = false;   // a kept learning-rate step was followed by one that did not help
  // With stop_when_healthy the search ends once the best is healthy and the doctor's own
  // fixes have been tried, except that a learning-rate walk goes on while its steps help.
  const auto done = [&](std::size_t next) {
    if (next >= candidates.size()) return true;
    if (!options.stop_when_healthy || !healthy) return false;
    if (walking_lr && learning_rate_step(candidates[next])) return false;
    return next >= doctors_fixes;
  };
  // Seeds the search needs before its next verdict, recorded before the next fix's
  // trial and run beside it: the baseline's last seed, or a kept fix's other seeds (the
  // spread of the new best; its first may be `ready`, run beside the fix's own trial).
  struct Pending {
    RunConfig base;
    Index from = 0, count = 0;
    Trial::Kind kind = Trial::Kind::spread;
    std::string change;
    std::optional<TrialOutcome> ready;
  };
  std::optional<Pending> pending;
  if (seeds >= 2) pending = Pending{trial_config, seeds - 1, seeds, Trial::Kind::baseline, "baseline"};
  // Records the pending seeds' outcomes and takes their noise into the spread.
  const auto settle = [&](std::vector<TrialOutcome> outcomes) {
    Pending p = std::move(*pending);
    pending.reset();
    if (p.ready && p.from < p.count) outcomes.insert(outcomes.begin(), std::move(*p.ready));
    const std::vector<double> metrics = record_seeds(p.base, p.from, p.kind, p.change, std::move(outcomes));
    if (p.kind == Trial::Kind::baseline) {
      report.baseline.insert(report.baseline.end(), metrics.begin(), metrics.end());
      report.spread = spread_of(report.baseline);
    }
    best_runs.insert(best_runs.end(), metrics.begin(), metrics.end());
    if (p.kind != Trial::Kind::baseline && best_runs.size() >= 2) report.spread = spread_of(best_runs);
  };
  const auto pending_jobs = [&] {
    std::vector<TrialRunner::Job> jobs;
    for (Index k = pending->ready ? pending->from + 1 : pending->from; k < pending->count; ++k) {
      jobs.push_back(seed_job(pending->base, k, pending->kind));
    }
    return jobs;
  };
  for (std::size_t i = 0; i < candidates.size() && !done(i); ++i) {
    const std::string& fix = candidates[i];
    if (walk_over && learning_rate_step(fix)) continue;  // the decades beyond no longer help
    RunConfig candidate = best;
    if (!apply_fix(candidate, fix)) continue;
    // The pending seeds the budget pays for (the baseline's always), then this fix's trial
    // when the budget still pays for it.
    if (pending) pending->count = seeds_paid(pending->from, pending->count, pending->kind);
    const Index pending_runs = pending ? pending->count - pending->from : 0;
    if (report.epochs_used + (pending_runs + 1) * epochs > budget) {
      if (pending) settle(runner.run(pending_jobs()));
      break;
    }
    // The fix's trial, and beside it the pending seeds still to run or, where a core is
    // free and none are, the fix's next seed: a fix that is kept, or close enough to be
    // confirmed, asks for it.
    std::vector<TrialRunner::Job> jobs{runner.trial(candidate, true)};
    Index pending_to_run = 0;
    if (pending) {
      for (auto& job : pending_jobs()) jobs.push_back(std::move(job));
      pending_to_run = static_cast<Index>(jobs.size()) - 1;
    }
    const bool speculate =
        pending_to_run == 0 && runner.options().together && report.epochs_used + (pending_runs + 2) * epochs <= budget;
    if (speculate) jobs.push_back(runner.trial(seeded(candidate, 1), false));
    std::vector<TrialOutcome> outcomes = runner.run(jobs);
    TrialOutcome o = std::move(outcomes.front());
    std::optional<TrialOutcome> next_seed;
    if (speculate) next_seed = std::move(outcomes.back());
    if (pending) {
      settle(std::vector<TrialOutcome>(std::make_move_iterator(outcomes.begin() + 1),
                                  std::make_move_iterator(outcomes.begin() + 1 + pending_to_run)));
    }
    const auto take_next_seed = [&] {
      std::optional<TrialOutcome> taken = std::move(next_seed);
      next_seed.reset();
      return taken;
    };
    Trial trial{.kind = Trial::Kind::fix,
                .change = fix,
                .config = candidate,
                .epochs = o.epochs,
                .findings_left = severe_symptoms(o.findings),
                .findings = o.findings,
                .val_metric = o.metric,
                .seconds = o.seconds,
                .effect = o.metric > kDivergedMetric && best_metric > kDivergedMetric ? (o.metric - best_metric) / report.spread
                                                                      : 0.0};
    // A change of task (labels that did not fit it) changes the metric too: accuracy and
    // R² do not compare, so it is kept when the labels fit and it leaves no more warnings
    // and errors.
    const bool task_changed = candidate.task != best.task;
    const bool labels_fit = std::find(trial.findings_left.begin(), trial.findings_left.end(), "label_mismatch") ==
                            trial.findings_left.end();
    trial.kept = task_changed ? !trial.diverged() && labels_fit && trial.findings_left.size() <= best_severe
                              : o.metric - best_metric > report.spread && trial.findings_left.size() <= best_severe;
    if (task_changed) trial.effect = 0.0;
    // An erratic best (its seeds far apart) makes a wide spread that no single run can
    // clear. A candidate that beats the best's every seed is run on the other seeds too,
    // and kept when all of its runs beat all of the best's.
    const double best_high = *std::max_element(best_runs.begin(), best_runs.end());
    const bool confirm = !trial.kept && !task_changed && seeds >= 2 && o.metric > best_high + options.min_spread &&
                         trial.findings_left.size() <= best_severe;
    std::vector<double> candidate_runs{o.metric};
    if (confirm) {
      // (The other seeds' rows come before the candidate's, which carries the verdict.)
      for (double m : seeded_runs(candidate, 1, seeds, Trial::Kind::spread, fix, take_next_seed())) {
        candidate_runs.push_back(m);
      }
      const double candidate_low = *std::min_element(candidate_runs.begin(), candidate_runs.end());
      trial.kept = candidate_runs.size() == static_cast<std::size_t>(seeds) && candidate_low > best_high + options.min_spread;
    }
    const bool kept = trial.kept;
    record(std::move(trial));
    walk_over = walk_over || (walking_lr && !kept && learning_rate_step(fix));
    walking_lr = kept && learning_rate_step(fix);
    if (!kept) discard(o);
    if (kept) {
      keep(o);
      best = candidate;
      best_metric = o.metric;
      best_severe = severe_symptoms(o.findings).size();
      healthy = std::none_of(o.findings.begin(), o.findings.end(), calls_for_repair);
      if (task_changed) report.metric = o.task == Task::regression ? "r2" : "accuracy";
      if (candidate_runs.size() >= 2) {
        best_runs = candidate_runs;
        report.spread = spread_of(best_runs);
      }
      if (done(i + 1)) break;
      if (candidate_runs.size() < 2) {
        // The noise of the new best, over its other seeds, recorded before the next
        // fix's trial (the first of them may have run beside this one's already).
        best_runs = {o.metric};
        if (seeds >= 2) pending = Pending{best, 1, seeds, Trial::Kind::spread, "spread of the best", take_next_seed()};
      }
    }
  }
  if (pending && pending->kind == Trial::Kind::baseline) settle(runner.run(pending_jobs()));
  report.best = best;
  report.best.epochs = config.epochs;
  report.best.seed = config.seed;
  report.best_metric = best_metric;
  report.best_run = std::move(best_trial.run);
  report.best_log = std::move(best_trial.log);
  return report;
}

}  // namespace

RepairReport repair(const RunConfig& config, const RepairOptions& options, const TrialHook& on_trial,
                    std::unique_ptr<TrainingRun> first) {
  return repair_on(read_data(config.data, config.labels, config.delimiter), config, options, on_trial,
                   std::move(first));
}

RepairedRun train_with_repair(const RunConfig& config, const RunHooks& hooks, const TrialHook& on_trial) {
  RunConfig first = config;
  first.auto_repair = true;
  const Index trial_epochs = std::min(config.epochs, std::max<Index>(kMinTrialEpochs, config.epochs / 4));
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
  // The run as configured, judged after the trials' length: healthy, it carries on.
  const Table data = read_data(config.data, config.labels, config.delimiter);
  auto run = std::make_unique<TrainingRun>(first, data, first_hooks);
  std::exception_ptr failure;
  try {
    run->train_to(trial_epochs);
    const RunResult look = run->so_far();
    if (std::none_of(look.findings.begin(), look.findings.end(), calls_for_repair)) {
      out.result = run->finish();
      if (std::none_of(out.result.findings.begin(), out.result.findings.end(), calls_for_repair)) return out;
      run.reset();  // found only later: the trials start afresh
    }
  } catch (const TrainingError&) {  // the rollbacks did not cure it: the set-up has to change
    failure = std::current_exception();
    run.reset();
  }
  const bool carried = run != nullptr;
  out.repair = repair_on(data, config, trials, on_trial, std::move(run));
  RepairReport& report = *out.repair;
  const bool changed = std::any_of(report.trials.begin(), report.trials.end(), [](const Trial& t) { return t.kept; });
  if (!changed && !carried) {
    if (failure) std::rethrow_exception(failure);
    return out;  // the run as configured ended, and no trial beat it
  }
  // The best trial carries on, reporting to the caller from now on, its log under the
  // configured name.
  report.best_run->set_hooks(hooks);
  report.best_run->set_threads(config.threads);  // its trial may have run side by side, on one thread
  if (report.best_log && config.log) report.best_run->move_log(*config.log);
  out.result = report.best_run->finish();
  if (changed) out.first_rollbacks = std::move(first_rollbacks);
  return out;
}

}  // namespace glassnet
