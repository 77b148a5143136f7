#pragma once
// A metrics log read back (docs/monitor.md#the-metrics-log): what the report and the
// terminal views draw, whether the run has just ended or is an old run's log.
//
// The monitor's series are rebuilt as the Monitor held them (without the full
// monitor's histograms, which no view draws), so that code written for a live run —
// the doctor, the layer table — works on a log as well.

#include <filesystem>
#include <istream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "glassnet/diag/doctor.hpp"
#include "glassnet/diag/monitor.hpp"
#include "glassnet/diag/repair_json.hpp"
#include "glassnet/diag/rollback.hpp"

namespace glassnet {

struct RunLog {
  std::filesystem::path path;
  nlohmann::json config = nlohmann::json::object();  // the run's options (the "run" line)
  nlohmann::json data = nlohmann::json::object();    // task, rows, inputs, classes
  int threads = 0;                                   // the run line's, or the end line's: the count the run ended on
  std::string monitor_level;  // "light" or "full"; empty when the monitor was off
  Index parameters = 0;       // trainable parameters (0 in logs written before it was recorded)
  MonitorSeries series;       // params, roles, probed layers, steps, probes, epochs
  std::vector<RollbackEvent> rollbacks;
  // Severe findings announced during training, with the epoch they were seen at.
  std::vector<std::pair<Finding, Index>> announced;
  bool ended = false;         // the "end" line was read (a run still going has none)
  nlohmann::json metrics = nlohmann::json::object();  // per split, as in train --json (end)
  std::vector<Finding> findings;  // the end's findings
  nlohmann::json files;
  std::optional<std::string> error;  // a run stopped by a non-finite value
  std::optional<RepairRecord> repair;  // the repair's trials ("repair"), when there were any
  double seconds = 0.0;       // the epochs' wall time, summed
};

// A last line that is not JSON and has no line break after it was cut by a run killed
// while writing it: the log reads as far as the line before. Otherwise, throws Error
// "FILE:LINE:COLUMN: what was expected" for a line that is not JSON, or
// "FILE:LINE: ..." for one that is not what the schema says; and for a file that is not
// a glassnet metrics log of a version this build reads.
RunLog read_run_log(const std::filesystem::path& path);
// The same from a stream; `path` names it in errors.
RunLog read_run_log(std::istream& in, const std::filesystem::path& path);

}  // namespace glassnet
