#include "glassnet/diag/trials.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <future>
#include <utility>

#include "glassnet/core/error.hpp"

namespace glassnet {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A run that failed: the worst outcome, with what the doctor found up to its failure.
TrialOutcome failed_trial(const PreparedData& prepared, const TrainingFailed& failure, double seconds) {
  TrialOutcome failed;
  failed.task = prepared.labels.task;
  failed.seconds = seconds;
  failed.findings = failure.findings();
  failed.series = failure.series();
  return failed;
}

void remove_quietly(const std::filesystem::path& path) {
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
}

// What every trial changes in its configuration: no checkpoints. (Its monitor is on:
// repair refuses a configuration without one.)
RunConfig as_trial(RunConfig config, bool one_thread) {
  config.checkpoint_dir.reset();
  config.resume = false;
  if (one_thread) config.threads = 1;
  return config;
}

// A trial trained to its end (`config` as ended_config makes it). Its time counts from
// `start`, before its options were checked and its data prepared (or waited for).
TrialOutcome ended_trial(const RunConfig& config, const std::shared_ptr<const PreparedData>& prepared,
                         Clock::time_point start) {
  try {
    // (trained before the clock is read)
    RunResult result = TrainingRun(config, prepared).finish(TrainingRun::SaveModel::no);
    return outcome_of(std::move(result), seconds_since(start));
  } catch (const TrainingFailed& e) {
    return failed_trial(*prepared, e, seconds_since(start));
  }
}

// Without carry_on: `epochs` long, its log only where `log` says, and no model written:
// its --out is `out`, a name no other run has, checked as any output but never written.
RunConfig ended_config(RunConfig config, Index epochs, const std::filesystem::path& out,
                       const std::optional<std::filesystem::path>& log) {
  config.epochs = epochs;
  config.out = out;
  config.log = log;
  config.auto_repair = false;
  return config;
}

// carry_on: the configured run itself (`config` as paused_config makes it) paused after
// `epochs`; its time as ended_trial's.
TrialOutcome paused_trial(const RunConfig& config, const std::shared_ptr<const PreparedData>& prepared, Index epochs,
                          Clock::time_point start) {
  try {
    auto run = std::make_unique<TrainingRun>(config, prepared);
    run->train_to(epochs);
    RunResult look = run->so_far();
    TrialOutcome out = outcome_of(std::move(look), seconds_since(start));
    out.run = std::move(run);
    out.log = config.log;
    return out;
  } catch (const TrainingFailed& e) {
    if (config.log) remove_quietly(*config.log);
    return failed_trial(*prepared, e, seconds_since(start));
  }
}

// carry_on: its epochs, model file and rollbacks, and its log where `log` says.
RunConfig paused_config(RunConfig config, const std::optional<std::filesystem::path>& log) {
  config.log = log;
  config.auto_repair = true;
  return config;
}

}  // namespace

TrialOutcome outcome_of(RunResult result, double seconds) {
  TrialOutcome out;
  out.task = result.task;
  out.seconds = seconds;
  out.epochs = static_cast<Index>(result.history.size());
  out.judged = (result.metrics.count("val") ? result.metrics.at("val") : result.metrics.at("train")).values;
  out.chance = result.chance;
  out.findings = std::move(result.findings);
  out.series = std::move(result.monitor);
  return out;
}

double TrialOutcome::metric(const std::string& name) const {
  const auto found = judged.find(name);
  return found != judged.end() && std::isfinite(found->second) ? found->second : kDivergedMetric;
}

void discard(TrialOutcome& outcome) {
  outcome.run.reset();  // closes the log
  if (outcome.log) {
    remove_quietly(*outcome.log);
    outcome.log.reset();
  }
}

TrialRunner::TrialRunner(const Table& data, TrialOptions options) : data_(data), options_(std::move(options)) {
  if (!options_.carry_on) scratch_.emplace("repair");
}

TrialRunner::~TrialRunner() = default;

TrialRunner::Job TrialRunner::trial(const RunConfig& config, bool may_be_kept,
                                    const std::optional<std::filesystem::path>& log) {
  // Named here, in the order asked for, before the trial may leave for another thread.
  const int number = ++started_;
  const RunConfig c = as_trial(config, options_.one_thread);
  const Index epochs = options_.epochs;
  if (!options_.carry_on) {
    const RunConfig ended = ended_config(c, epochs, scratch_->path() / fmt::format("trial{}.safetensors", number), log);
    return [this, ended] {
      const auto start = Clock::now();
      check_run_options(ended);  // before any data is read, as a run does
      return ended_trial(ended, prepared(ended), start);
    };
  }
  std::optional<std::filesystem::path> trial_log;
  if (may_be_kept && options_.log) trial_log = fmt::format("{}.trial{}", options_.log->string(), number);
  const RunConfig paused = paused_config(c, trial_log);
  return [this, paused, epochs, may_be_kept] {
    const auto start = Clock::now();
    check_run_options(paused);  // before any data is read, as a run does
    TrialOutcome o = paused_trial(paused, prepared(paused), epochs, start);
    if (!may_be_kept) discard(o);
    return o;
  };
}

void TrialRunner::remember(const RunConfig& config, Prepared ready) {
  // One per seed: a later preparation of a seed (after a kept change of task or of
  // standardisation) is what its later trials ask for, and the earlier one is freed
  // once the runs holding it are.
  std::erase_if(prepared_, [&](const auto& entry) { return entry.first.seed == config.seed; });
  prepared_.emplace_back(config, std::move(ready));
}

void TrialRunner::share(std::shared_ptr<const PreparedData> prepared) {
  if (!prepared || !prepared->made_for) throw Error("TrialRunner::share: data not made by prepare_data");
  std::promise<std::shared_ptr<const PreparedData>> made;
  const RunConfig config = *prepared->made_for;
  made.set_value(std::move(prepared));
  const std::lock_guard lock(prepared_mutex_);
  remember(config, made.get_future().share());
}

std::shared_ptr<const PreparedData> TrialRunner::prepared(const RunConfig& config) {
  std::optional<std::promise<std::shared_ptr<const PreparedData>>> making;  // when this call prepares it
  Prepared ready;
  {
    const std::lock_guard lock(prepared_mutex_);
    for (const auto& [made_for, future] : prepared_) {
      if (same_preparation(made_for, config)) ready = future;
    }
    if (!ready.valid()) {
      ready = making.emplace().get_future().share();
      remember(config, ready);
    }
  }
  if (making) {
    try {
      making->set_value(prepare_data(config, data_));
    } catch (...) {  // bad input: for every trial that asks
      making->set_exception(std::current_exception());
    }
  }
  return ready.get();
}

std::vector<TrialOutcome> TrialRunner::run(const std::vector<Job>& jobs) const {
  std::vector<TrialOutcome> outcomes;
  std::exception_ptr failure;  // the first job's to throw (bad input); the others finish
  const auto collect = [&](const auto& job) {
    try {
      outcomes.push_back(job());
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  };
  for (std::size_t j = 0; j < jobs.size() && !failure; j += 2) {
    if (j + 1 == jobs.size() || !options_.together) {
      collect(jobs[j]);
      if (j + 1 < jobs.size() && !failure) collect(jobs[j + 1]);
      continue;
    }
    auto beside = std::async(std::launch::async, jobs[j + 1]);
    collect(jobs[j]);
    collect([&] { return beside.get(); });
  }
  if (failure) {  // nothing of the finished trials is left behind
    for (TrialOutcome& o : outcomes) discard(o);
    std::rethrow_exception(failure);
  }
  return outcomes;
}

}  // namespace glassnet
