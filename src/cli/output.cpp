#include "cli/output.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

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

}  // namespace glassnet::cli
