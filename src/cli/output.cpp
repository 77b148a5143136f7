#include "cli/output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "glassnet/core/counted.hpp"

namespace glassnet::cli {

std::string readable(double value) {
  if (std::isnan(value)) return "nan";
  return std::abs(value) < 1e6 ? fmt::format("{:.4f}", value) : fmt::format("{:.4g}", value);
}

std::string metrics_text(const Metrics& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics.values) {
    text += fmt::format("  {:<20} {}\n", name, std::isfinite(value) ? readable(value) : "n/a");
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

std::string epochs_text(const std::vector<EpochLogs>& history, std::string_view noun) {
  if (history.empty() || history.front().epoch <= 1) return counted(history.size(), noun);
  const Index first = history.front().epoch, last = history.back().epoch;
  return fmt::format("{} (resumed after epoch {})",
                     first == last ? fmt::format("epoch {}", first) : fmt::format("epochs {}–{}", first, last),
                     first - 1);
}

std::string trials_header(Index epochs) {
  return fmt::format(
      "trials, {} each, from the same seed and data order (a fix is kept when it beats the best "
      "by more than the run-to-run spread of its seeds):\n",
      counted(epochs, "epoch"));
}

std::string trial_line(const Trial& t) {
  const std::string left = t.findings_left.empty() ? "-" : fmt::format("{}", fmt::join(t.findings_left, ", "));
  const std::string value = t.diverged() ? "diverged" : fmt::format("{} {:.4f}", t.metric, t.val_metric);
  // One width for every metric, "balanced_accuracy 0.8327" the longest: a change of task
  // changes the metric within a table.
  constexpr std::size_t width = std::string_view("balanced_accuracy 0.8327").size();
  const bool baseline = t.kind != Trial::Kind::fix;
  // Trials on small data take milliseconds.
  const double ms = std::round(1000.0 * t.seconds);
  const std::string time = ms < 1000.0 ? fmt::format("{:>6.0f} ms", ms) : fmt::format("{:>6.1f} s", t.seconds);
  return fmt::format(
      "  {:<34} {:<10} {:<{}} {:<28} {}\n", t.change, baseline ? "" : (t.kept ? "kept" : "not kept"), value, width,
      baseline ? fmt::format("left: {}", left) : fmt::format("{:+.1f}× spread; left: {}", t.effect, left), time);
}

std::string best_text(const std::vector<Trial>& trials, std::string_view metric, double best_metric,
                      Index trial_epochs) {
  const auto value = [](double m) { return m > kDivergedMetric ? fmt::format("{:.4f}", m) : std::string("diverged"); };
  std::vector<std::string> kept;
  for (const Trial& t : trials) {
    if (t.kept) kept.push_back(t.change);
  }
  const std::string in_trial = fmt::format("in its {}-epoch trial", trial_epochs);
  if (kept.empty())
    return fmt::format("best: the configuration as given ({} {} {})\n", metric, value(best_metric), in_trial);
  // The baseline's first seed is the first trial; its metric is another when a fix changed the task.
  const Trial& first = trials.front();
  const std::string_view first_metric = first.metric;
  return fmt::format("best: {} ({} {} {}, from {}{})\n", fmt::join(kept, ", then "), metric, value(best_metric),
                     in_trial, first_metric == metric ? "" : fmt::format("{} ", first_metric),
                     first.val_metric > kDivergedMetric ? value(first.val_metric) : std::string("a run that diverged"));
}

std::string rollback_text(const RollbackEvent& e) {
  return fmt::format("repair: step {} (epoch {}): {} — {}; rolled back and {}\n", e.step, e.epoch, e.problem,
                     e.detail, e.action);
}

}  // namespace glassnet::cli
