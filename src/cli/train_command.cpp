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
#include "cli/report_file.hpp"
#include "cli/run_options.hpp"
#include "glassnet/core/counted.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/report/layer_table.hpp"
#include "glassnet/train/run.hpp"

namespace glassnet::cli {
namespace {

// Set by SIGINT (Ctrl-C); the trainer polls it after every step.
std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int /*signal*/) { g_interrupted.store(true); }

// The shell's convention for a process stopped by SIGINT (128 + 2).
constexpr int kInterruptedExitCode = 130;

int run(RunFlags& flags) {
  RunConfig& c = run_config(flags);
  const bool plain = !flags.quiet && !flags.json;
  check_train_report("--report", flags.report, c);
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  EpochProgress progress(c.epochs, ::isatty(STDOUT_FILENO) != 0);
  const RunHooks hooks{.on_epoch_end =
                           [&](const EpochLogs& e) {
                             if (plain) progress.update(e);
                           },
                       .on_finding =
                           [&](const Finding& f, Index epoch) {
                             if (!plain) return;
                             progress.finish();  // the message goes on a line of its own
                             fmt::print(stderr, "{}{}: {}: {}\n", severity_name(f.severity),
                                        epoch > 0 ? fmt::format(" (seen at epoch {})", epoch) : "", f.symptom,
                                        f.summary);
                           },
                       .on_rollback =
                           [&](const RollbackEvent& e) {
                             if (!plain) return;
                             progress.finish();
                             fmt::print(stderr, "{}", rollback_text(e));
                           },
                       .interrupt = &g_interrupted};
  // With --auto-repair, the trials (if any) print as they end, before the repaired run.
  std::optional<RepairReport> repair;
  std::vector<RollbackEvent> first_rollbacks;
  bool trials_started = false;
  const TrialHook on_trial = [&](const Trial& t) {
    if (!plain) return;
    progress.finish();
    if (!trials_started) fmt::print("repair: {}", trials_header(auto_repair_trial_epochs(c.epochs)));
    trials_started = true;
    fmt::print("{}", trial_line(t));
    std::fflush(stdout);
  };
  const ReportFile report(flags.report, c.log);
  RunResult result;
  try {
    if (c.auto_repair) {
      RepairedRun repaired = train_with_repair(c, hooks, on_trial);
      result = std::move(repaired.result);
      repair = std::move(repaired.repair);
      first_rollbacks = std::move(repaired.first_rollbacks);
    } else {
      result = run_training(c, hooks);
    }
  } catch (const TrainingFailed& e) {
    // A run that failed is the one to look at: its findings say why and what to try, and
    // its log ends with the error and the same findings.
    progress.finish();
    nlohmann::json files = nlohmann::json::object();
    if (!flags.log.empty()) files["log"] = flags.log;
    if (plain) fmt::print("\n{}", findings_text(e.findings()));
    if (report.wanted()) {
      files["report"] = report.write();
      fmt::print(stderr, "report of the failed run written to {}\n", files["report"].get<std::string>());
    }
    if (flags.json) {
      fmt::print(
          "{}\n",
          nlohmann::json({{"error", e.what()}, {"findings", findings_json(e.findings())}, {"files", files}}).dump());
    }
    throw;
  }
  progress.finish();
  if (report.wanted()) result.files["report"] = report.write();
  if (result.interrupted) {
    fmt::print(stderr, "interrupted after {}: the model was saved to {}{}\n",
               epochs_text(result.history, "complete epoch"), result.files.at("model"),
               result.files.count("checkpoints")
                   ? fmt::format(", checkpoints are in {}", result.files.at("checkpoints"))
                   : "");
  }
  if (flags.json) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [split, m] : result.metrics) metrics[split] = metrics_json(m);
    nlohmann::json out = {
        {"task", task_name(result.task)}, {"metrics", metrics},        {"findings", findings_json(result.findings)},
        {"warnings", result.warnings},    {"threads", result.threads}, {"files", result.files},
        {"memory_estimate",
         {{"total", result.memory.total()},
          {"data", result.memory.data},
          {"parameters", result.memory.parameters},
          {"optimizer", result.memory.optimizer},
          {"activations", result.memory.activations},
          {"monitor", result.memory.monitor}}}};
    // The rollbacks of the run as configured (when a repaired run followed), then of the
    // run whose model was written.
    nlohmann::json rollbacks = nlohmann::json::array();
    const auto add_rollbacks = [&](const std::vector<RollbackEvent>& events, const char* run) {
      for (const RollbackEvent& e : events) {
        nlohmann::json event = rollback_json(e);
        event["run"] = run;
        rollbacks.push_back(std::move(event));
      }
    };
    add_rollbacks(first_rollbacks, "as configured");
    add_rollbacks(result.rollbacks, repair && !first_rollbacks.empty() ? "repaired" : "as configured");
    if (c.auto_repair) {
      out["rollbacks"] = rollbacks;
      out["repair"] = repair ? repair_json(*repair) : nlohmann::json();
    }
    fmt::print("{}\n", out.dump());
    return result.interrupted ? kInterruptedExitCode : 0;
  }
  if (flags.quiet) return result.interrupted ? kInterruptedExitCode : 0;
  for (const auto& w : result.warnings) fmt::print(stderr, "warning: {}\n", w);
  fmt::print("\n{} task, {}, {}\n", task_name(result.task), epochs_text(result.history),
             counted(result.threads, "thread"));
  for (const char* split : {"train", "val", "test"}) {
    const auto found = result.metrics.find(split);
    if (found != result.metrics.end()) fmt::print("{}:\n{}", split, metrics_text(found->second));
  }
  fmt::print("\n{}\n", layer_table(result.monitor, result.findings));
  fmt::print("{}", findings_text(result.findings));
  if (repair)
    fmt::print("repair: {}",
               best_text(repair->trials, repair->metric, repair->best_metric, auto_repair_trial_epochs(c.epochs)));
  fmt::print("model written to {}\n", result.files.at("model"));
  if (result.files.count("report")) fmt::print("report written to {}\n", result.files.at("report"));
  return result.interrupted ? kInterruptedExitCode : 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("train", "Train a network on a CSV file (or IDX images) and save the model");
  auto flags = std::make_shared<RunFlags>();
  add_run_options(*cmd, *flags, RunCommand::train);
  cmd->callback([cmd, flags, &exit_code] {
    const ConfigOrigins origins = apply_config(*cmd, flags->config_file);
    try {
      exit_code = run(*flags);
    } catch (const Error& e) {
      throw Error(with_config_origin(e.what(), origins));
    }
  });
}

}  // namespace glassnet::cli
