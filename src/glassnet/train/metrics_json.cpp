#include "glassnet/train/metrics_json.hpp"

#include <cmath>

namespace glassnet {

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
  if (!metrics.roc.x.empty()) out["roc_curve"] = {{"fpr", metrics.roc.x}, {"tpr", metrics.roc.y}};
  if (!metrics.pr.x.empty()) out["pr_curve"] = {{"recall", metrics.pr.x}, {"precision", metrics.pr.y}};
  return out;
}

}  // namespace glassnet
