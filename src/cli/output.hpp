#pragma once
// Output shared by the subcommands: metrics as JSON (NaN as null, names in snake_case)
// and as an aligned text table.

#include <nlohmann/json.hpp>
#include <string>

#include "glassnet/train/metrics.hpp"

namespace glassnet::cli {

nlohmann::json metrics_json(const Metrics& metrics);
std::string metrics_text(const Metrics& metrics);

}  // namespace glassnet::cli
