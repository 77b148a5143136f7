// glassnet doctor: a short diagnostic training run and its findings; with --repair,
// controlled trials of the fixes (diag/repair.hpp) and the best configuration as TOML.

#include <fmt/format.h>

#include <map>
#include <span>

#include "cli/commands.hpp"
#include "cli/config_option.hpp"
#include "cli/number_checks.hpp"
#include "cli/output.hpp"
#include "cli/path_checks.hpp"
#include "cli/report_file.hpp"
#include "cli/run_options.hpp"
#include "glassnet/core/error.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/io/atomic_file.hpp"
#include "glassnet/report/layer_table.hpp"
#include "glassnet/train/config_toml.hpp"

namespace glassnet::cli {
namespace {

struct DoctorFlags {
  RunFlags run;
  bool repair = false;
  Index budget = 0;
  std::string best = "best.toml";
};

int run_doctor(DoctorFlags& flags) {
  RunConfig config = run_config(flags.run);
  const bool plain = !flags.run.quiet && !flags.run.json;
  std::vector<NamedPath> outputs;
  if (config.log) outputs.push_back({"--log", *config.log});
  // --out is not written here, but the best configuration names it: train --config would
  // refuse it there if it named an input or --best.
  if (flags.repair) outputs.push_back({"--out", config.out});
  if (!flags.run.report.empty()) outputs.push_back({"--report", flags.run.report});
  if (flags.repair) outputs.push_back({"--best", flags.best});
  check_files(input_files(config), outputs);
  // The diagnosis writes --log, or the report's temporary log.
  const ReportFile report_file(flags.run.report, config.log);
  RepairOptions options{.budget = flags.repair ? flags.budget : config.epochs,
                        .spread_seeds = flags.repair ? 3 : 1,
                        .diagnosis_log = config.log,
                        .log_trials = flags.repair};
  // The diagnosis prints as soon as the first run ends; then each trial as it ends.
  const auto on_trial = [&](const Trial& t) {
    if (!plain) return;
    if (t.kind == Trial::Kind::baseline && t.change == "baseline") {
      const std::string findings = findings_text(t.findings);
      fmt::print("{}", findings.empty() ? "findings: none\n" : findings);
      if (!flags.repair) return;
      fmt::print("{}", trials_header(config.epochs));  // (a diagnosis that diverged trained fewer)
    }
    fmt::print("{}", trial_line(t));
    std::fflush(stdout);
  };
  const RepairReport report = repair(config, options, on_trial);
  std::map<std::string, std::string> files;
  if (!flags.run.log.empty()) files["log"] = flags.run.log;
  if (report_file.wanted()) files["report"] = report_file.write();  // (the log holds the trials)
  if (flags.repair) {
    RunConfig best = report.best;
    best.out = config.out;
    const std::string text = config_toml(best);
    write_file_atomically(flags.best, std::as_bytes(std::span(text.data(), text.size())));
    files["config"] = flags.best;
  }
  if (flags.run.json) {
    nlohmann::json out = {{"findings", findings_json(report.findings)}, {"files", files}};
    if (flags.repair) {
      const nlohmann::json r = repair_json(report);
      out["trials"] = r["trials"];
      out["best"] = r["best"];
      out["metric"] = r["metric"];
      out["spread"] = r["spread"];
    } else {
      out["trials"] = nlohmann::json::array();
    }
    fmt::print("{}\n", out.dump());
    return 0;
  }
  if (flags.run.quiet) return 0;
  if (report.diagnosis_series.steps.empty()) {
    fmt::print("\nthe diagnostic run stopped before its first step's statistics: no layer table\n");
  } else {
    fmt::print("\nthe diagnostic run, layer by layer:\n{}", layer_table(report.diagnosis_series, report.findings));
  }
  if (files.count("report")) fmt::print("report written to {}\n", files.at("report"));
  if (!flags.repair) return 0;
  fmt::print("{}", best_text(report.trials, report.metric, report.best_metric, config.epochs));
  fmt::print("best configuration written to {} (glassnet train --config {})\n", flags.best, flags.best);
  return 0;
}

}  // namespace

void add_doctor_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "doctor", "Diagnose a training set-up with a short run; with --repair, try the fixes and keep what helps");
  auto flags = std::make_shared<DoctorFlags>();
  flags->run.config.epochs = 10;  // a short run
  add_run_options(*cmd, flags->run, RunCommand::doctor);
  cmd->add_flag("--repair", flags->repair, "Try the fixes as controlled trials and write the best configuration");
  cmd->add_option("--budget", flags->budget, "Training epochs over all trials (default: 12 runs' worth)")
      ->check(whole_number(1, kMaxEpochs));
  cmd->add_option("--best", flags->best, "Where --repair writes the best configuration (TOML for train --config)")
      ->check(file_name())
      ->capture_default_str();
  cmd->callback([cmd, flags, &exit_code] {
    const ConfigOrigins origins = apply_config(*cmd, flags->run.config_file);
    // Without --repair they would do nothing: refused, not ignored. (Checked once the
    // --config file is applied: its `repair = true` counts, and `repair = false` does not.)
    try {
      for (const char* option : {"--budget", "--best"}) {
        if (cmd->count(option) > 0 && !flags->repair) {
          throw Error(fmt::format("{} needs --repair: without it no trials run and nothing is written", option));
        }
      }
      exit_code = run_doctor(*flags);
    } catch (const Error& e) {
      throw Error(with_config_origin(e.what(), origins));
    }
  });
}

}  // namespace glassnet::cli
