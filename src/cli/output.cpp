#include "cli/output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "glassnet/train/config_toml.hpp"

namespace glassnet::cli {

std::string metrics_text(const Metrics& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics.values) {
    text += fmt::format("  {:<20} {}\n", name, std::isfinite(value) ? fmt::format("{:.4f}", value) : "n/a");
  }
  return text;
}

std::string findings_text(const std::vector<Finding>& findings) {
  if (findings.empty()) return "";
  std::string text = "findings:\n";
  for (const Finding& f : findings) {
    text += fmt::format("  [{}] {}: {}\n", severity_name(f.severity), f.symptom, f.summary);
    for (const auto& e : f.evidence) text += fmt::format("      evidence: {}\n", e);
    for (const Link& link : f.chain) {
      text += fmt::format("      which led to {}{}:\n", link.symptom,
                          link.layers.empty() ? "" : fmt::format(" ({})", fmt::join(link.layers, ", ")));
      for (const auto& e : link.evidence) text += fmt::format("        evidence: {}\n", e);
    }
    for (const auto& c : f.causes) text += fmt::format("      likely cause: {}\n", c);
    if (!f.fixes.empty()) {
      text += "      try, in order:";
      for (const auto& fix : f.fixes) text += fmt::format(" `{}`", fix);
      text += "\n";
    }
  }
  return text;
}

std::string trials_header(Index epochs) {
  return fmt::format("trials, {} epochs each, from the same seed and data order (a fix is kept when it beats the best "
                     "by more than the run-to-run spread of its seeds):\n",
                     epochs);
}

std::string trial_line(const Trial& t) {
  const char* metric = t.task == Task::regression ? "r2" : "accuracy";
  const std::string left = t.findings_left.empty() ? "-" : fmt::format("{}", fmt::join(t.findings_left, ", "));
  const std::string value = t.diverged() ? "diverged" : fmt::format("{} {:.4f}", metric, t.val_metric);
  const bool baseline = t.kind != Trial::Kind::fix;
  // Trials on small data take milliseconds.
  const double ms = std::round(1000.0 * t.seconds);
  const std::string time = ms < 1000.0 ? fmt::format("{:>6.0f} ms", ms) : fmt::format("{:>6.1f} s", t.seconds);
  return fmt::format("  {:<34} {:<10} {:<18} {:<28} {}\n", t.change, baseline ? "" : (t.kept ? "kept" : "not kept"),
                     value,
                     baseline ? fmt::format("left: {}", left)
                              : fmt::format("{:+.1f}× spread; left: {}", t.effect, left),
                     time);
}

std::string trials_text(const RepairReport& report) {
  std::string text = trials_header(report.trials.empty() ? 0 : report.trials.front().epochs);
  for (const Trial& t : report.trials) text += trial_line(t);
  return text + best_text(report);
}

std::string best_text(const RepairReport& report) {
  std::string text;
  std::vector<std::string> kept;
  for (const Trial& t : report.trials) {
    if (t.kept) kept.push_back(t.change);
  }
  text += kept.empty() ? fmt::format("best: the configuration as given ({} {:.4f})\n", report.metric,
                                     report.best_metric)
                       : fmt::format("best: {} ({} {:.4f}, from {})\n", fmt::join(kept, ", then "), report.metric,
                                     report.best_metric,
                                     report.baseline.front() > kDivergedMetric ? fmt::format("{:.4f}", report.baseline.front())
                                                                    : std::string("a run that diverged"));
  return text;
}

nlohmann::json repair_json(const RepairReport& report) {
  nlohmann::json trials = nlohmann::json::array();
  for (const Trial& t : report.trials) {
    trials.push_back({{"change", t.change},
                      {"findings_left", t.findings_left},
                      {"val_metric", t.diverged() ? nlohmann::json() : nlohmann::json(t.val_metric)},
                      {"effect", t.effect},
                      {"kept", t.kept},
                      {"seconds", t.seconds}});
  }
  return {{"metric", report.metric},
          {"spread", report.spread},
          {"trials", trials},
          {"best", {{"config", config_options_json(report.best)}, {"val_metric", report.best_metric}}}};
}

std::string rollback_text(const RollbackEvent& e) {
  return fmt::format("repair: step {} (epoch {}): {} — {}; rolled back and {}\n", e.step, e.epoch, e.problem,
                     e.detail, e.action);
}

}  // namespace glassnet::cli
