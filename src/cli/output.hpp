#pragma once
// Output shared by the subcommands: metrics and findings as JSON (train/metrics_json.hpp,
// diag/finding_json.hpp) and as text.

#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/train/metrics.hpp"
#include "glassnet/train/metrics_json.hpp"

namespace glassnet::cli {

std::string metrics_text(const Metrics& metrics);
// "findings:" and each finding with its evidence, causes and fixes; "" when none.
std::string findings_text(const std::vector<Finding>& findings);
// One line per trial of a repair: the change, the warnings and errors left, the
// validation metric, the effect size, the time; then the best configuration.
std::string trials_text(const RepairReport& report);
// "best: <the kept changes> (metric, from the baseline's)".
std::string best_text(const RepairReport& report);
std::string trials_header(Index epochs);
std::string trial_line(const Trial& trial);
// {"trials": [{"change", "findings_left", "val_metric", "effect", "kept", "seconds"}],
//  "spread", "metric", "best": {"config": {...option: value}, "val_metric"}}
nlohmann::json repair_json(const RepairReport& report);
// One line for a rollback of --auto-repair.
std::string rollback_text(const RollbackEvent& event);

}  // namespace glassnet::cli
