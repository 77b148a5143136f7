#pragma once
// Output shared by the subcommands: metrics and findings as JSON (train/metrics_json.hpp,
// diag/finding_json.hpp) and as text.

#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/train/metrics.hpp"
#include "glassnet/train/metrics_json.hpp"

namespace glassnet::cli {

std::string metrics_text(const Metrics& metrics);
// "findings:" and each finding with its evidence, causes and fixes; "" when none.
std::string findings_text(const std::vector<Finding>& findings);

}  // namespace glassnet::cli
