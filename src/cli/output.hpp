#pragma once
// Output shared by the subcommands: metrics, findings and repairs as JSON
// (train/metrics_json.hpp, diag/finding_json.hpp, diag/repair_json.hpp) and as text.

#include <string>
#include <string_view>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/finding_json.hpp"
#include "glassnet/diag/repair.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/train/callback.hpp"
#include "glassnet/train/metrics.hpp"
#include "glassnet/train/metrics_json.hpp"

namespace glassnet::cli {

// A loss or metric as the terminal shows it: four decimals ("0.6931"), or four
// significant digits with an exponent from a million up ("1.736e+37"), where the
// decimals would print every digit of a diverged loss; "nan" for NaN, whatever its sign.
std::string readable(double value);

// The epochs a run trained: "3 epochs" (with `noun` "complete epoch": "3 complete
// epochs"), or, for a run resumed from a checkpoint, "epochs 4–6 (resumed after epoch 3)"
// ("epoch 4 (resumed after epoch 3)").
std::string epochs_text(const std::vector<EpochLogs>& history, std::string_view noun = "epoch");

std::string metrics_text(const Metrics& metrics);
// "findings:" and each finding with its evidence, causes and fixes; "" when none.
std::string findings_text(const std::vector<Finding>& findings);
// A repair's trials as text: the header, then one line per trial (the change, the
// warnings and errors left, the validation metric, the effect size, the time).
std::string trials_header(Index epochs);
std::string trial_line(const Trial& trial);
// "best: <the kept changes> (metric in its N-epoch trial, from the baseline's)": `trials`
// as run, the baseline's first seed first (RepairReport::trials, RepairRecord::trials),
// `trial_epochs` long (the metric is the trial's, not the end of a run that carried on).
std::string best_text(const std::vector<Trial>& trials, std::string_view metric, double best_metric,
                      Index trial_epochs);
// One line for a rollback of --auto-repair.
std::string rollback_text(const RollbackEvent& event);

}  // namespace glassnet::cli
