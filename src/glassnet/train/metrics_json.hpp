#pragma once
// Metrics as JSON, the one form every output uses (train --json, eval --json, the
// metrics log): names in snake_case, undefined values (NaN) as null, and for
// classification the confusion matrix (rows: true class, columns: predicted).

#include <nlohmann/json.hpp>

#include "glassnet/train/metrics.hpp"

namespace glassnet {

nlohmann::json metrics_json(const Metrics& metrics);

}  // namespace glassnet
