#pragma once
// A repair's trials as JSON: `doctor --json` and `train --auto-repair --json` print it,
// and the metrics log's "repair" line holds it (docs/monitor.md#the-metrics-log):
//
//   {"metric": "accuracy" | "balanced_accuracy" | "r2", "spread",
//    "trials": [{"kind": "baseline" | "fix" | "spread", "change", "task", "metric", "epochs",
//                "findings_left": [...], "val_metric" (null: diverged), "effect", "kept",
//                "seconds"}],
//    "best": {"config": {option: value, as in the TOML file}, "val_metric"}}
//
// The log's line adds "rollbacks": those of the run as configured, which the repaired
// run replaced (train --auto-repair; the repaired run's own are its "rollback" lines).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "glassnet/diag/repair.hpp"
#include "glassnet/diag/rollback.hpp"

namespace glassnet {

nlohmann::json repair_json(const RepairReport& report);

// A trial's kind as the JSON names it: "baseline", "fix" or "spread".
const char* trial_kind_name(Trial::Kind kind);

// {"step", "epoch", "problem", "detail", "action"}: the log's "rollback" line holds the same.
nlohmann::json rollback_json(const RollbackEvent& event);

// What a repair's JSON holds, read back (the report of a metrics log draws it). A trial
// read back has no configuration and no findings but the symptoms left.
struct RepairRecord {
  std::string metric;
  double spread = 0.0;
  std::vector<Trial> trials;
  nlohmann::json best_config = nlohmann::json::object();
  double best_metric = 0.0;
  std::vector<RollbackEvent> replaced_rollbacks;  // the log's "rollbacks"
};

// Throws Error naming the member that is missing or of the wrong type.
RepairRecord repair_from_json(const nlohmann::json& json);
RollbackEvent rollback_from_json(const nlohmann::json& json);

}  // namespace glassnet
