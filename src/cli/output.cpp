#include "cli/output.hpp"

#include <fmt/format.h>

#include <cmath>

namespace glassnet::cli {

nlohmann::json metrics_json(const Metrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : metrics.values) {
    out[name] = std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
  }
  if (metrics.confusion.classes > 0) {
    nlohmann::json rows = nlohmann::json::array();
    for (Index t = 0; t < metrics.confusion.classes; ++t) {
      nlohmann::json row = nlohmann::json::array();
      for (Index p = 0; p < metrics.confusion.classes; ++p) row.push_back(metrics.confusion.at(t, p));
      rows.push_back(row);
    }
    out["confusion_matrix"] = rows;
  }
  return out;
}

std::string metrics_text(const Metrics& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics.values) {
    text += fmt::format("  {:<20} {}\n", name, std::isfinite(value) ? fmt::format("{:.4f}", value) : "n/a");
  }
  return text;
}

}  // namespace glassnet::cli
